//! Hand-built snapshots at fixed instants for the unit and rendering tests: the shapes the
//! server sends (default Kanazawa configuration), never the system clock.

use chrono::{DateTime, FixedOffset};
use queue_protocol::{
    self as protocol, CalendarState, ClosureReason, Congestion, CongestionLevel, CounterState,
    CounterStatus, Estimate, Hours, Message, NowCalled, OfficeName, Payload, Phase, RecentCall,
    Reception, ServiceStatus, Snapshot, TicketState,
};

/// Parses a fixed RFC 3339 instant.
pub fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("valid instant")
}

/// A feed snapshot message.
pub fn snapshot_message(seq: u64, generated_at: &str, snapshot: Snapshot) -> Message {
    Message {
        v: protocol::VERSION,
        seq,
        generated_at: at(generated_at),
        payload: Payload::Snapshot(Box::new(snapshot)),
    }
}

/// A feed call message.
pub fn call_message(seq: u64, generated_at: &str, counter: &str, number: &str) -> Message {
    Message {
        v: protocol::VERSION,
        seq,
        generated_at: at(generated_at),
        payload: Payload::Call(protocol::CallEvent {
            counter: counter.into(),
            number: number.into(),
            service: "renewal".into(),
            recall: false,
        }),
    }
}

fn service(
    id: &str,
    ja: &str,
    en: &str,
    prefix: &str,
    waiting: u32,
    minutes: Option<(u32, u32)>,
) -> ServiceStatus {
    ServiceStatus {
        id: id.into(),
        name_ja: ja.into(),
        name_en: en.into(),
        prefix: prefix.into(),
        waiting,
        estimate: minutes.map(|(min, max)| Estimate {
            no_counter_open: false,
            min_minutes: min,
            max_minutes: max,
            point_minutes: f64::from(min + max) / 2.0,
            text_ja: format!("{min}～{max}分程度"),
            text_en: format!("About {min}–{max} min"),
        }),
    }
}

fn counter(id: &str, state: CounterState) -> CounterStatus {
    CounterStatus {
        id: id.into(),
        state,
        services: vec!["renewal".into(), "pin_reset".into()],
    }
}

/// The main office on a Tuesday morning (2026-12-01 10:00): four counters, three calling.
pub fn open_office() -> Snapshot {
    Snapshot {
        office: OfficeName {
            id: "main".into(),
            name_ja: "金沢市役所 本庁舎".into(),
            name_en: "Kanazawa City Hall, Main Office".into(),
        },
        calendar: CalendarState {
            phase: Phase::Open,
            accepting: true,
            reason_code: None,
            reason_ja: None,
            reason_en: None,
            notice_ja: None,
            notice_en: None,
            next_opening: Some(at("2026-12-02T09:00:00+09:00")),
            today: Some(Hours {
                opens: "09:00".into(),
                closes: "17:45".into(),
                last_ticket: None,
            }),
            business_date: "2026-12-01".into(),
        },
        reception: Reception {
            suspended: false,
            reason_code: None,
        },
        waiting_total: Some(18),
        queue: None,
        shared_estimate: None,
        services: vec![
            service(
                "renewal",
                "電子証明書の更新",
                "Certificate renewal",
                "R",
                12,
                Some((30, 45)),
            ),
            service(
                "pin_reset",
                "暗証番号の再設定",
                "PIN reset",
                "P",
                3,
                Some((10, 20)),
            ),
            service(
                "legal_representative",
                "法定代理人の方（ご本人と来庁・代理人のみ来庁）",
                "Legal representative",
                "L",
                1,
                Some((20, 30)),
            ),
            service(
                "proxy_notice",
                "任意代理人（照会書兼回答書をお持ちの方）",
                "Proxy with the inquiry sheet",
                "A",
                0,
                None,
            ),
            service(
                "proxy_inquiry",
                "任意代理人（照会書が届いていない方・2回目以降の来庁の方）",
                "Proxy, document inquiry",
                "D",
                0,
                None,
            ),
            service(
                "new_issuance",
                "有効期限が過ぎた電子証明書の新規発行",
                "New issuance after expiry",
                "N",
                2,
                Some((15, 25)),
            ),
        ],
        now_called: vec![
            NowCalled {
                counter: "1".into(),
                number: "R014".into(),
                service: "renewal".into(),
                state: TicketState::Called,
                called_at: at("2026-12-01T09:58:40+09:00"),
            },
            NowCalled {
                counter: "2".into(),
                number: "P003".into(),
                service: "pin_reset".into(),
                state: TicketState::Serving,
                called_at: at("2026-12-01T09:55:10+09:00"),
            },
            NowCalled {
                counter: "3".into(),
                number: "R013".into(),
                service: "renewal".into(),
                state: TicketState::Recalled,
                called_at: at("2026-12-01T09:57:30+09:00"),
            },
        ],
        recent_calls: vec![
            recent("1", "R014", "2026-12-01T09:58:40+09:00"),
            recent("3", "R013", "2026-12-01T09:57:30+09:00"),
            recent("2", "P003", "2026-12-01T09:55:10+09:00"),
            recent("1", "R012", "2026-12-01T09:47:05+09:00"),
            recent("3", "R011", "2026-12-01T09:41:50+09:00"),
            recent("2", "L001", "2026-12-01T09:30:15+09:00"),
        ],
        counters: vec![
            counter("1", CounterState::Open),
            counter("2", CounterState::Open),
            counter("3", CounterState::Open),
            counter("4", CounterState::Closed),
        ],
        congestion: Some(Congestion {
            level: CongestionLevel::Moderate,
            label_ja: "やや混んでいます".into(),
            label_en: "Moderately busy".into(),
        }),
        demo: false,
        clock_speed: None,
    }
}

fn recent(counter: &str, number: &str, called_at: &str) -> RecentCall {
    RecentCall {
        counter: counter.into(),
        number: number.into(),
        service: "renewal".into(),
        called_at: at(called_at),
    }
}

/// The office closed all day for a reason, as the server words it.
fn closed_office(
    business_date: &str,
    code: ClosureReason,
    reason: (&str, &str),
    notice: (&str, &str),
    next_opening: &str,
) -> Snapshot {
    let mut snapshot = open_office();
    snapshot.calendar = CalendarState {
        phase: Phase::Closed,
        accepting: false,
        reason_code: Some(code),
        reason_ja: Some(reason.0.into()),
        reason_en: Some(reason.1.into()),
        notice_ja: Some(notice.0.into()),
        notice_en: Some(notice.1.into()),
        next_opening: Some(at(next_opening)),
        today: None,
        business_date: business_date.into(),
    };
    snapshot.now_called.clear();
    snapshot.recent_calls.clear();
    for service in &mut snapshot.services {
        service.waiting = 0;
        service.estimate = None;
    }
    for counter in &mut snapshot.counters {
        counter.state = CounterState::Closed;
    }
    snapshot.congestion = None;
    snapshot
}

/// Labor Thanksgiving Day, Monday 2026-11-23.
pub fn holiday() -> Snapshot {
    closed_office(
        "2026-11-23",
        ClosureReason::Holiday,
        (
            "祝日（勤労感謝の日）",
            "National holiday (Labor Thanksgiving Day)",
        ),
        (
            "本日は祝日（勤労感謝の日）のため閉庁しています。次回の受付は11月24日（火）9:00からです。",
            "Closed today: National holiday (Labor Thanksgiving Day). Reception reopens Tue 24 Nov 9:00.",
        ),
        "2026-11-24T09:00:00+09:00",
    )
}

/// New Year's Day 2027, inside the year-end break (domain R3).
pub fn year_end() -> Snapshot {
    closed_office(
        "2027-01-01",
        ClosureReason::YearEnd,
        ("年末年始", "Year-end holidays"),
        (
            "年末年始（12月29日～1月3日）は閉庁しています。次回の受付は1月4日（月）9:00からです。",
            "Closed for the year-end holidays (29 Dec – 3 Jan). Reception reopens Mon 4 Jan 9:00.",
        ),
        "2027-01-04T09:00:00+09:00",
    )
}

/// The feed task's next event, failing the test after 10 s of silence.
pub async fn next_event(
    events: &mut tokio::sync::mpsc::Receiver<crate::feed::FeedEvent>,
) -> crate::feed::FeedEvent {
    tokio::time::timeout(std::time::Duration::from_secs(10), events.recv())
        .await
        .expect("an event in time")
        .expect("feed still running")
}
