//! Every sentence of the renewal guide, in Japanese and English, in one place: the API sends
//! them, the page and the command line print them, so all three say the same thing.
//!
//! The Japanese speaks as the city office does (polite, impersonal, full-width brackets,
//! 「9:00～17:45」, dates as 「2027年4月8日（木）」).

use crate::protocol::Phase;
use crate::protocol::text::{self, Lang};
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::window::{Reading, Stage, Window};

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A pair of texts.
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

/// 「2027年4月8日（木）」: dates this far ahead need their year.
pub fn date_ja(date: NaiveDate) -> String {
    format!(
        "{}年{}月{}日（{}）",
        date.year(),
        date.month(),
        date.day(),
        text::weekday_ja(date.weekday())
    )
}

/// "Thu 8 Apr 2027".
pub fn date_en(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

/// 「9:00」: hours without a leading zero, as the city writes them.
pub fn clock(time: NaiveTime) -> String {
    text::time(&time)
}

/// The headline: can the person renew today, and from or until when (domain R12, R15).
pub fn when(stage: Stage, window: &Window, today: NaiveDate) -> Text {
    let days = |to: NaiveDate| (to - today).num_days();
    let (window_opens, expires) = (window.opens, window.closes);
    match stage {
        Stage::BeforeWindow => Text::new(
            format!(
                "無料で更新できるのは{}からです（あと{}日）。{}までは有料での再交付となります。",
                date_ja(window_opens),
                days(window_opens),
                date_ja(window.paid_reissue_until),
            ),
            format!(
                "Free renewal starts on {} (in {} days). Until {} it would be a paid re-issue.",
                date_en(window_opens),
                days(window_opens),
                date_en(window.paid_reissue_until),
            ),
        ),
        Stage::InWindow => Text::new(
            format!(
                "現在、無料で更新できる期間です。有効期限の{}までに手続きをお済ませください（あと{}日）。",
                date_ja(expires),
                days(expires),
            ),
            format!(
                "Free renewal is possible now, until the expiry on {} ({} days left).",
                date_en(expires),
                days(expires),
            ),
        ),
        Stage::AfterExpiry => Text::new(
            format!(
                "電子証明書の有効期限（{}）が過ぎています。マイナンバーカード本体の有効期限までなら、新しく電子証明書を発行することができます。",
                date_ja(expires)
            ),
            format!(
                "The certificates expired on {}. A new certificate can still be issued until the card itself expires.",
                date_en(expires)
            ),
        ),
    }
}

/// Says that the window's first day rests on our reading (no same-numbered day three months
/// before the expiry), and whom to ask.
pub fn window_reading(reading: Reading, window_opens: NaiveDate) -> Option<Text> {
    (reading == Reading::MonthEnd).then(|| Text::new(
        format!(
            "有効期限の3か月前に同じ日付の日がないため、その月の末日の翌日（{}）から更新できるものとしてご案内しています。これは当システムの解釈です。この日にお越しの場合は、事前に市民課へご確認ください。",
            date_ja(window_opens)
        ),
        format!(
            "Three months before the expiry there is no day with the same number, so this guide takes the day after that month's last day ({}) as the first day. That is our reading of the rule; if you plan to come on that day, please check with the Citizens Division first.",
            date_en(window_opens)
        ),
    ))
}

/// The renewed certificates expire with the card (domain R10); a card expiring is another
/// procedure (R16).
pub fn renewed_expiry() -> Text {
    Text::new(
        "有効期限までに更新した場合、更新後の電子証明書の有効期限は、マイナンバーカード本体の有効期限と同じ日付になります。マイナンバーカード本体の有効期限が到来する場合は、別の手続きが必要です。",
        "Certificates renewed before the expiry then expire with the card itself. A card that is itself expiring needs a different procedure.",
    )
}

/// What lapses after the expiry (domain R11).
pub fn lapse() -> Text {
    Text::new(
        "有効期限が過ぎると電子証明書は失効し、マイナポータルへのログイン、e-Taxなどの電子申請、証明書のコンビニ交付が利用できなくなります。",
        "After the expiry the certificates lapse: no Mynaportal log-in, no e-Tax or other online filing, no certificates at convenience stores.",
    )
}

/// Until when the card works as health-insurance card, and the hospitals' warning (R11, R13).
pub fn insurance(until: NaiveDate, warning_from: NaiveDate) -> Text {
    Text::new(
        format!(
            "マイナ保険証は、有効期限から3か月後の{}まで健康保険証として利用できますが、その後は利用できなくなります。病院や薬局では、{}ごろから更新が必要である旨の警告が表示されます。",
            date_ja(until),
            date_ja(warning_from)
        ),
        format!(
            "The card works as health-insurance card until {}, three months after the expiry, and no longer after that. Hospitals and pharmacies show a renewal warning from about {}.",
            date_en(until),
            date_en(warning_from)
        ),
    )
}

/// When the expiry notice should arrive, and what to do without it (domain R14, R17, R21).
pub fn notice(expected_from: NaiveDate) -> Text {
    Text::new(
        format!(
            "有効期限の約2か月半前（{}ごろ）に、地方公共団体情報システム機構（差出人は金沢市）から有効期限通知書が普通郵便・転送不要で届きます。郵便局に転送届を出している場合や、数か月以内に転居された場合は配達されません。",
            date_ja(expected_from)
        ),
        format!(
            "About two and a half months before the expiry (around {}), J-LIS mails the expiry notice (sender: Kanazawa City) by ordinary mail, not forwarded. It is not delivered when a forwarding request is on file or after a move in the last few months.",
            date_en(expected_from)
        ),
    )
}

/// Without the notice: who can still come at once, and who needs the inquiry (R17–R21).
pub fn without_notice() -> Text {
    Text::new(
        "通知書が届いていなくても、ご本人や法定代理人は有効期限の3か月前から更新できます。任意代理人の方は、文書照会による手続き（3回の来庁）になります。",
        "Without the notice, the holder or a legal representative can still renew from three months before the expiry; another proxy needs the document inquiry (three visits).",
    )
}

/// What the person who comes should know, by route (R17–R21).
pub fn who_note(asked: super::Who, route: super::Who) -> Text {
    use super::Who;
    if asked != route {
        return Text::new(
            "有効期限が過ぎているため、照会書兼回答書は使えません。任意代理人の方は、文書照会による手続き（3回の来庁）になります。",
            "The expiry has passed, so the inquiry/answer sheet can no longer be used: a proxy follows the document inquiry (three visits).",
        );
    }
    match route {
        Who::Holder => Text::new(
            "暗証番号をご確認のうえ、お越しください。お忘れの場合でも、その場で再設定していただくことができます。有効期限の3か月前から、有効期限通知書が届く前でも手続きできます。",
            "Please make sure you know the PINs; a forgotten PIN can be reset on the spot. The holder can renew from three months before the expiry, even before the notice arrives.",
        ),
        Who::Legal => Text::new(
            "ご本人が未成年、成年被後見人、被保佐人、被補助人または任意被後見人の場合は、法定代理人（親権者、未成年後見人、成年後見人など）も同行してください。暗証番号をご確認のうえ、お越しください。",
            "When the holder is a minor or under guardianship, curatorship, assistance or voluntary guardianship, the legal representative (parent, guardian…) comes along. Please make sure you know the PINs.",
        ),
        Who::LegalAlone => Text::new(
            "法定代理人（親権者、未成年後見人、成年後見人など）のみでも手続きできます。有効期限の3か月前から、有効期限通知書が届く前でも手続きできます。暗証番号をご確認のうえ、お越しください。",
            "The legal representative (parent, guardian…) may come alone, from three months before the expiry, even before the notice arrives. Please make sure you know the PINs.",
        ),
        Who::ProxyNotice => Text::new(
            "有効期限までであれば、有効期限通知書に同封されている照会書兼回答書を使って、1回の来庁で手続きできます。記入された暗証番号で照合できなかった場合は、文書照会による再度の来庁が必要です。",
            "Until the expiry, a proxy can renew in one visit with the inquiry/answer sheet that came with the notice. If the PIN written on it does not match, the document inquiry (more visits) is needed.",
        ),
        Who::ProxyInquiry => Text::new(
            "通知書が届いていない場合、届く前に手続きする場合、有効期限が過ぎた場合などは、文書照会により3回の来庁が必要です。",
            "Without the notice, before it arrives, after the expiry and in the other cases the city lists, a proxy comes three times (document inquiry).",
        ),
    }
}

/// Which ticket to take at the office.
pub fn ticket(name: &Text) -> Text {
    Text::new(
        format!("受付では「{}」の番号札をお取りください。", name.ja),
        format!("At the office, take a ticket for \"{}\".", name.en),
    )
}

/// Where and how long (domain R1, R2, R6).
pub fn where_and_how_long() -> Text {
    Text::new(
        "市役所本庁舎と市民センターで手続きできます。インターネットや郵便での更新はできません。手続きの所要時間は約10分ですが、窓口が混み合うことがありますので、お時間に余裕をもってお越しください。",
        "Renewal is done at City Hall or a citizen center, not online or by mail. It takes about 10 minutes at the counter, but the counter can be crowded: please allow plenty of time.",
    )
}

/// Reservations (domain R7).
pub fn reservations() -> Text {
    Text::new(
        "予約は必要ありません。1週間以上先に市役所本庁舎へ来庁を予定されている方は、LINEで予約できます（市民センターでは予約できません）。",
        "No reservation is needed. If you plan to visit the City Hall main office a week or more ahead, you can reserve a time through LINE (citizen centers take no reservations).",
    )
}

/// The contact (domain R22).
pub fn contact() -> Text {
    Text::new(
        "お問い合わせは、市民課（〒920-8577 金沢市広坂1丁目1番1号、電話 076-220-2241、ファックス 076-224-2163）までお願いします。",
        "Questions: Citizens Division, 1-1-1 Hirosaka, Kanazawa 920-8577; phone 076-220-2241, fax 076-224-2163.",
    )
}

/// An office's state now, from its snapshot's phase (WORDING: 閉庁, 受付).
pub fn phase(phase: Phase, suspended: bool) -> Text {
    if suspended {
        return Text::new(
            "ただいま受付を一時停止しています",
            "Reception is suspended for now",
        );
    }
    Text::new(Lang::Ja.phase(phase), Lang::En.phase(phase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
    }

    #[test]
    fn dates_carry_the_year_and_a_full_width_weekday() {
        assert_eq!(date_ja(date("2027-04-08")), "2027年4月8日（木）");
        assert_eq!(date_en(date("2027-04-08")), "Thu 8 Apr 2027");
        assert_eq!(
            clock(NaiveTime::from_hms_opt(9, 0, 0).expect("time")),
            "9:00"
        );
    }

    #[test]
    fn before_the_window_the_headline_gives_the_first_free_day_and_the_last_paid_one() {
        let window = super::super::window::free_window(date("2027-07-07")).expect("in range");
        let text = when(Stage::BeforeWindow, &window, date("2027-03-01"));
        assert_eq!(
            text.ja,
            "無料で更新できるのは2027年4月8日（木）からです（あと38日）。2027年4月7日（水）までは有料での再交付となります。"
        );
        assert!(text.en.contains("Thu 8 Apr 2027 (in 38 days)"));
    }

    #[test]
    fn only_the_month_end_reading_is_announced_as_ours() {
        assert!(window_reading(Reading::Literal, date("2027-04-08")).is_none());
        let ours = window_reading(Reading::MonthEnd, date("2027-03-01")).expect("a note");
        assert!(ours.ja.contains("当システムの解釈"));
        assert!(ours.en.contains("our reading"));
    }

    #[test]
    fn visitor_texts_use_city_office_wording() {
        let all = [
            renewed_expiry(),
            lapse(),
            without_notice(),
            where_and_how_long(),
            reservations(),
            contact(),
            phase(Phase::Closed, false),
        ];
        for text in all {
            assert!(!text.ja.contains("休業"), "閉庁, not 休業: {}", text.ja);
            assert!(!text.ja.contains("あなた"), "{}", text.ja);
            assert!(!text.ja.contains('('), "full-width brackets: {}", text.ja);
            assert!(!text.ja.contains(": "), "no label: value: {}", text.ja);
        }
    }
}
