use super::*;

#[test]
fn viewers_leave_headroom_and_reach_ten_thousand_when_the_limit_allows() {
    assert_eq!(default_max_viewers(11_024), 10_000);
    assert_eq!(default_max_viewers(65_536), 65_536 - HEADROOM as usize);
    for open_files in [11_024, 20_000, 524_288, 1_048_576] {
        let viewers = default_max_viewers(open_files) as u64;
        assert!(
            viewers >= 10_000,
            "{open_files} files gave {viewers} viewers"
        );
        assert!(open_files - viewers >= HEADROOM);
    }
}

#[test]
fn a_small_limit_still_keeps_half_for_everything_else() {
    assert_eq!(default_max_viewers(1_024), 512);
    assert_eq!(default_max_viewers(2_000), 1_000);
    assert_eq!(default_max_viewers(0), 0);
}

#[test]
fn an_unlimited_hard_limit_gives_a_count_the_semaphore_can_hold() {
    assert_eq!(
        default_max_viewers(u64::MAX),
        tokio::sync::Semaphore::MAX_PERMITS
    );
}

#[cfg(unix)]
#[test]
fn raising_open_files_reaches_the_hard_limit_and_reports_the_start() {
    let raised = raise_open_files().unwrap();
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    assert_eq!(raised.soft, soft);
    assert_eq!(raised.hard, hard);
    assert!(raised.soft >= raised.before);
    // On Linux the soft limit goes all the way up (macOS caps it at OPEN_MAX).
    #[cfg(target_os = "linux")]
    assert!(soft == hard || hard == rlimit::INFINITY, "{soft} < {hard}");
}
