//! Who comes to the counter, what they bring, how many visits and which ticket they take
//! (domain R17–R21). The routes are a finite table: one row per person who comes, and a test
//! walks every row against every stage.

use serde::{Deserialize, Serialize};

use super::text::Text;
use super::window::Stage;

/// Who comes to the counter, as the visitor knows themselves (WORDING: 本人 / 法定代理人 /
/// 任意代理人, 照会書が届いた・届いていない), spelled as in `?who=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The holder in person (R17).
    #[serde(rename = "self")]
    Holder,
    /// A minor or a person under guardianship, with the legal representative (R18).
    Legal,
    /// The legal representative alone (R19).
    LegalAlone,
    /// Another proxy (任意代理人) with the notice's inquiry/answer sheet (R20).
    ProxyNotice,
    /// Another proxy by document inquiry, three visits (R21).
    ProxyInquiry,
}

impl Who {
    /// Every value, in the order the form lists them.
    pub const ALL: [Who; 5] = [
        Who::Holder,
        Who::Legal,
        Who::LegalAlone,
        Who::ProxyNotice,
        Who::ProxyInquiry,
    ];

    /// The query spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holder => "self",
            Self::Legal => "legal",
            Self::LegalAlone => "legal_alone",
            Self::ProxyNotice => "proxy_notice",
            Self::ProxyInquiry => "proxy_inquiry",
        }
    }

    /// Parses the query spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|who| who.as_str() == text)
    }

    /// The form's label for this choice.
    pub fn label(self) -> Text {
        match self {
            Self::Holder => Text::new("ご本人が来庁する", "The holder comes in person"),
            Self::Legal => Text::new(
                "ご本人と法定代理人が一緒に来庁する（ご本人が未成年・成年被後見人などの場合）",
                "The holder comes with the legal representative (a minor or a person under guardianship)",
            ),
            Self::LegalAlone => Text::new(
                "法定代理人のみ来庁する",
                "The legal representative comes alone",
            ),
            Self::ProxyNotice => Text::new(
                "任意代理人が来庁する（照会書兼回答書をお持ちの方）",
                "Another proxy comes, with the inquiry/answer sheet from the notice",
            ),
            Self::ProxyInquiry => Text::new(
                "任意代理人が来庁する（照会書が届いていない方・2回目以降の来庁の方）",
                "Another proxy comes, without the notice's sheet (document inquiry, three visits)",
            ),
        }
    }
}

/// One thing to bring, on a given visit (1 for single-visit routes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id (`holder_card`, `proxy_id`, …).
    pub id: String,
    /// Which visit it is for (1–3).
    pub visit: u8,
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

/// What happens on one visit of a multi-visit route (R21).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Visit number (1–3).
    pub visit: u8,
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

/// Each document of the checklists, once (R17–R21).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Doc {
    HolderCard,
    LegalId,
    LegalAuthority,
    ProxyId,
    AnswerSheet,
    ApplicationForm,
    InquiryReply,
}

impl Doc {
    fn id(self) -> &'static str {
        match self {
            Self::HolderCard => "holder_card",
            Self::LegalId => "legal_representative_id",
            Self::LegalAuthority => "legal_representative_authority",
            Self::ProxyId => "proxy_id",
            Self::AnswerSheet => "inquiry_answer_sheet",
            Self::ApplicationForm => "application_form",
            Self::InquiryReply => "inquiry_reply",
        }
    }

    fn text(self) -> Text {
        match self {
            Self::HolderCard => Text::new(
                "ご本人のマイナンバーカード（原本に限ります）",
                "The holder's My Number card (the original only)",
            ),
            Self::LegalId => Text::new(
                "法定代理人の本人確認書類1点（マイナンバーカード、運転免許証、パスポートなど官公署発行の顔写真付きのもの。原本かつ有効期限内のもの）",
                "One photo ID of the legal representative issued by a public office (My Number card, driver's licence, passport…), original and valid",
            ),
            Self::LegalAuthority => Text::new(
                "法定代理人の代理権を確認する書類（未成年の方は戸籍謄本。本籍地が金沢市の場合や住民基本台帳で親子関係が確認できる場合は不要です。成年後見人は登記事項証明書。保佐人・補助人・任意後見人は代理権を確認できる登記事項証明書の代理行為目録など）",
                "Proof of the legal representative's authority (for a minor, a family-register copy, not needed when the registered domicile is Kanazawa or the parent–child tie shows in the resident register; for a guardian, the certificate of registered matters; for a curator, assistant or voluntary guardian, the list of acts of agency in that certificate or another proof)",
            ),
            Self::ProxyId => Text::new(
                "代理人の本人確認書類1点（マイナンバーカード、運転免許証、パスポートなど官公署発行の顔写真付きのもの。原本かつ有効期限内のもの）",
                "One photo ID of the proxy issued by a public office (My Number card, driver's licence, passport…), original and valid",
            ),
            Self::AnswerSheet => Text::new(
                "照会書兼回答書（有効期限通知書に同封されているもの。ご本人が記入し、封筒に入れて封をしたもの）",
                "The inquiry/answer sheet that came with the expiry notice, filled in by the holder and sealed in its envelope",
            ),
            Self::ApplicationForm => Text::new(
                "記入済みの「署名用電子証明書／利用者証明用電子証明書 新規発行／更新申請書」",
                "The filled-in application form for new issuance or renewal of the certificates",
            ),
            Self::InquiryReply => Text::new(
                "記入済みの「照会書（回答書）」（ご本人が署名し、委任状欄と暗証番号を記入して、暗証番号に目隠しシールを貼ったもの）",
                "The filled-in inquiry (reply) sheet: signed by the holder, with the power of attorney and the PIN filled in and the PIN covered by the seal sticker",
            ),
        }
    }

    fn item(self, visit: u8) -> Item {
        let text = self.text();
        Item {
            id: self.id().to_string(),
            visit,
            ja: text.ja,
            en: text.en,
        }
    }
}

/// The checklist of each route, visit by visit (R17–R21). Visit 1 of the document inquiry
/// needs nothing: the proxy collects the application form.
fn checklist(who: Who) -> &'static [(u8, &'static [Doc])] {
    use Doc::*;
    match who {
        Who::Holder => &[(1, &[HolderCard])],
        Who::Legal | Who::LegalAlone => &[(1, &[HolderCard, LegalId, LegalAuthority])],
        Who::ProxyNotice => &[(1, &[HolderCard, ProxyId, AnswerSheet])],
        Who::ProxyInquiry => &[
            (2, &[ApplicationForm, HolderCard, ProxyId]),
            (3, &[ApplicationForm, HolderCard, ProxyId, InquiryReply]),
        ],
    }
}

/// The route one person takes on a given stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Who was asked about.
    pub asked: Who,
    /// The route that applies: a proxy with the notice's sheet after the expiry is sent the
    /// document-inquiry way (R20 holds only before the expiry; R21 covers new issuance).
    pub who: Who,
    /// Number of visits: 3 for the document inquiry, else 1.
    pub visits: u8,
    /// Id of the service whose ticket to take (from the configuration).
    pub service: &'static str,
    /// What to bring, visit by visit.
    pub bring: Vec<Item>,
    /// What each visit is for (document inquiry only).
    pub steps: Vec<Step>,
}

/// The route for `asked` on `stage` (R17–R21).
pub fn route(asked: Who, stage: Stage) -> Route {
    let who = match (asked, stage) {
        (Who::ProxyNotice, Stage::AfterExpiry) => Who::ProxyInquiry,
        _ => asked,
    };
    let bring = checklist(who)
        .iter()
        .flat_map(|(visit, docs)| docs.iter().map(|doc| doc.item(*visit)))
        .collect();
    Route {
        asked,
        who,
        visits: if who == Who::ProxyInquiry { 3 } else { 1 },
        service: service_for(who, stage),
        bring,
        steps: if who == Who::ProxyInquiry {
            inquiry_steps()
        } else {
            Vec::new()
        },
    }
}

/// The ticket a person takes: a renewal, or a new issuance after the expiry (R15), or the
/// representative's and proxies' own services. Ids of the configured services.
fn service_for(who: Who, stage: Stage) -> &'static str {
    match (who, stage) {
        (Who::Holder, Stage::AfterExpiry) => "new_issuance",
        (Who::Holder, _) => "renewal",
        (Who::Legal | Who::LegalAlone, _) => "legal_representative",
        (Who::ProxyNotice, _) => "proxy_notice",
        (Who::ProxyInquiry, _) => "proxy_inquiry",
    }
}

/// The three visits of the document inquiry (R21).
fn inquiry_steps() -> Vec<Step> {
    [
        (
            1,
            "1回目の来庁では「署名用電子証明書／利用者証明用電子証明書 新規発行／更新申請書」をお渡しします。お持ち帰りいただき、ご本人が記入してください（ご本人が記入できない場合は代理人が代筆できます）。",
            "Visit 1: collect the application form. The holder fills it in at home (the proxy may write it for them).",
        ),
        (
            2,
            "2回目の来庁では、書類のコピーをとらせていただき、原本をお返しします。後日、ご本人の住民票の住所あてに「照会書（回答書）」が転送不要郵便で届きます（郵便局に転送届を出している場合は、事前に解除してください）。",
            "Visit 2: the documents are copied and handed back. Later an inquiry (reply) sheet is mailed to the holder's registered address, not forwarded (cancel any forwarding request first).",
        ),
        (
            3,
            "3回目は、2回目の来庁から30日以内にお越しください。前回と違う受付場所でも手続きできます。暗証番号はご本人に代わって職員が入力します。照会書（回答書）の記入に不足がある場合、暗証番号が目隠しされていない場合、暗証番号で照合できなかった場合は、照会からやり直しになります。",
            "Visit 3: within 30 days of visit 2, at any office. Staff enter the PIN for the holder. An incomplete sheet, an uncovered PIN or a PIN that does not match means starting the inquiry again.",
        ),
    ]
    .into_iter()
    .map(|(visit, ja, en)| Step {
        visit,
        ja: ja.to_string(),
        en: en.to_string(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGES: [Stage; 3] = [Stage::BeforeWindow, Stage::InWindow, Stage::AfterExpiry];

    fn ids(route: &Route, visit: u8) -> Vec<&str> {
        route
            .bring
            .iter()
            .filter(|item| item.visit == visit)
            .map(|item| item.id.as_str())
            .collect()
    }

    #[test]
    fn every_route_brings_the_holders_original_card_on_its_last_visit() {
        for who in Who::ALL {
            for stage in STAGES {
                let route = route(who, stage);
                assert!(
                    ids(&route, route.visits).contains(&"holder_card"),
                    "{who:?} {stage:?}"
                );
                assert!(route.bring.iter().all(|item| item.visit <= route.visits));
                assert!(
                    route
                        .bring
                        .iter()
                        .all(|i| !i.ja.is_empty() && !i.en.is_empty())
                );
            }
        }
    }

    #[test]
    fn the_holder_in_person_brings_only_the_card_and_takes_a_renewal_ticket() {
        let route = route(Who::Holder, Stage::InWindow);
        assert_eq!(ids(&route, 1), ["holder_card"], "R17");
        assert_eq!(route.visits, 1);
        assert_eq!(route.service, "renewal");
    }

    #[test]
    fn after_expiry_the_holder_takes_a_new_issuance_ticket() {
        assert_eq!(
            route(Who::Holder, Stage::AfterExpiry).service,
            "new_issuance",
            "R15"
        );
    }

    #[test]
    fn a_legal_representative_brings_photo_id_and_proof_of_authority_with_or_without_the_holder() {
        for who in [Who::Legal, Who::LegalAlone] {
            let route = route(who, Stage::InWindow);
            assert_eq!(
                ids(&route, 1),
                [
                    "holder_card",
                    "legal_representative_id",
                    "legal_representative_authority"
                ],
                "R18, R19"
            );
            assert_eq!(route.visits, 1);
            assert_eq!(route.service, "legal_representative");
        }
    }

    #[test]
    fn a_proxy_with_the_notices_sheet_comes_once_before_expiry() {
        let route = route(Who::ProxyNotice, Stage::InWindow);
        assert_eq!(route.who, Who::ProxyNotice);
        assert_eq!(route.visits, 1, "R20");
        assert_eq!(
            ids(&route, 1),
            ["holder_card", "proxy_id", "inquiry_answer_sheet"]
        );
        assert_eq!(route.service, "proxy_notice");
    }

    #[test]
    fn a_proxy_with_the_notices_sheet_after_expiry_is_sent_the_document_inquiry_way() {
        let route = route(Who::ProxyNotice, Stage::AfterExpiry);
        assert_eq!(route.asked, Who::ProxyNotice);
        assert_eq!(route.who, Who::ProxyInquiry, "R20 only before expiry; R21");
        assert_eq!(route.visits, 3);
        assert_eq!(route.service, "proxy_inquiry");
    }

    #[test]
    fn the_document_inquiry_takes_three_visits_the_third_with_the_filled_inquiry() {
        let route = route(Who::ProxyInquiry, Stage::InWindow);
        assert_eq!(route.visits, 3, "R21");
        assert!(ids(&route, 1).is_empty(), "visit 1 only collects the form");
        assert_eq!(
            ids(&route, 2),
            ["application_form", "holder_card", "proxy_id"]
        );
        assert_eq!(
            ids(&route, 3),
            [
                "application_form",
                "holder_card",
                "proxy_id",
                "inquiry_reply"
            ]
        );
        let visits: Vec<u8> = route.steps.iter().map(|s| s.visit).collect();
        assert_eq!(visits, [1, 2, 3]);
        assert!(route.steps[2].ja.contains("30日以内"));
    }

    #[test]
    fn who_round_trips_through_its_query_spelling_and_its_json() {
        for who in Who::ALL {
            assert_eq!(Who::parse(who.as_str()), Some(who));
            let json = serde_json::to_string(&who).expect("serializes");
            assert_eq!(json, format!("\"{}\"", who.as_str()));
        }
        assert_eq!(Who::parse("holder"), None);
        assert_eq!(Who::parse(""), None);
    }
}
