//! Japanese national holidays, 1955–2099, computed from the rules of the law
//! (国民の祝日に関する法律 and the special laws), not from a list of dates.
//!
//! Offices are closed on every day this module returns (domain R3): national
//! holidays proper (国民の祝日), substitute holidays (振替休日), citizens'
//! holidays (国民の休日) and the one-off holidays set by special law.
//!
//! How a year is computed:
//! 1. every [`RULES`] entry in force that year gives one date (fixed date,
//!    n-th Monday, or an equinox from the standard approximation formula);
//! 2. the special-law one-offs of [`SPECIAL_LAW_DAYS`] are added — the laws
//!    that set them also make them count as national holidays for the
//!    substitute and citizens' rules (so 2019-04-30 and 2019-05-02 are
//!    国民の休日);
//! 3. substitute holidays follow from the Sundays among those (from
//!    1973-04-12; "the next day" until 2006, "the first following day that
//!    is not a national holiday" from 2007);
//! 4. citizens' holidays fill a single day sandwiched between two of them
//!    (from 1985-12-27; until 2006 never on a Sunday).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// First year whose holidays this module knows; earlier years return nothing
/// rather than a guess (the product never needs them).
pub const FIRST_YEAR: i32 = 1955;
/// Last year covered: the equinox formula used here is published for 1980–2099.
pub const LAST_YEAR: i32 = 2099;

/// One holiday as shown to people: names in both languages and why it is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holiday {
    /// Official Japanese name, e.g. 勤労感謝の日 (what screens and the CLI show).
    pub name_ja: &'static str,
    /// English name as the Cabinet Office writes it, e.g. Labor Thanksgiving Day.
    pub name_en: &'static str,
    /// Which rule made the day a holiday; texts differ (祝日 vs 休日).
    pub kind: HolidayKind,
}

/// Which rule of the law makes a day a holiday. All of them close the offices
/// (domain R3); the kind only changes the wording shown to visitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolidayKind {
    /// 国民の祝日: a holiday named in the holiday law.
    National,
    /// 振替休日: replaces a national holiday that fell on a Sunday.
    Substitute,
    /// 国民の休日: a day between two national holidays.
    Citizens,
    /// A one-off holiday set by its own law (e.g. 2019-05-01 天皇の即位の日).
    SpecialLaw,
}

/// How a rule picks its date within a year.
#[derive(Clone, Copy, Debug)]
enum DateRule {
    /// The same month and day every year.
    Fixed { month: u32, day: u32 },
    /// The n-th Monday of a month (Happy Monday system, from 2000/2003).
    NthMonday { month: u32, n: u8 },
    /// 春分日 from the approximation formula.
    VernalEquinox,
    /// 秋分日 from the approximation formula.
    AutumnalEquinox,
}

/// One line of the law: a holiday, how its date is found, and the years
/// (inclusive) during which that version of the law applied.
#[derive(Clone, Copy, Debug)]
struct Rule {
    name_ja: &'static str,
    name_en: &'static str,
    date: DateRule,
    from: i32,
    to: i32,
}

const fn rule(names: (&'static str, &'static str), date: DateRule, from: i32, to: i32) -> Rule {
    Rule {
        name_ja: names.0,
        name_en: names.1,
        date,
        from,
        to,
    }
}

const fn fixed(month: u32, day: u32) -> DateRule {
    DateRule::Fixed { month, day }
}

const fn monday(month: u32, n: u8) -> DateRule {
    DateRule::NthMonday { month, n }
}

const NEW_YEAR: (&str, &str) = ("元日", "New Year's Day");
const COMING_OF_AGE: (&str, &str) = ("成人の日", "Coming of Age Day");
const FOUNDATION: (&str, &str) = ("建国記念の日", "National Foundation Day");
const EMPEROR: (&str, &str) = ("天皇誕生日", "The Emperor's Birthday");
const VERNAL: (&str, &str) = ("春分の日", "Vernal Equinox Day");
const SHOWA: (&str, &str) = ("昭和の日", "Showa Day");
const CONSTITUTION: (&str, &str) = ("憲法記念日", "Constitution Memorial Day");
const GREENERY: (&str, &str) = ("みどりの日", "Greenery Day");
const CHILDREN: (&str, &str) = ("こどもの日", "Children's Day");
const MARINE: (&str, &str) = ("海の日", "Marine Day");
const MOUNTAIN: (&str, &str) = ("山の日", "Mountain Day");
const AGED: (&str, &str) = ("敬老の日", "Respect for the Aged Day");
const AUTUMNAL: (&str, &str) = ("秋分の日", "Autumnal Equinox Day");
const HEALTH_SPORTS: (&str, &str) = ("体育の日", "Health and Sports Day");
const SPORTS: (&str, &str) = ("スポーツの日", "Sports Day");
const CULTURE: (&str, &str) = ("文化の日", "Culture Day");
const LABOR: (&str, &str) = ("勤労感謝の日", "Labor Thanksgiving Day");

/// Name of 振替休日 (domain R3).
pub const SUBSTITUTE: Holiday = Holiday {
    name_ja: "振替休日",
    name_en: "Substitute Holiday",
    kind: HolidayKind::Substitute,
};

/// Name of 国民の休日 (domain R3).
pub const CITIZENS: Holiday = Holiday {
    name_ja: "国民の休日",
    name_en: "Citizens' Holiday",
    kind: HolidayKind::Citizens,
};

const END: i32 = LAST_YEAR;

/// The holiday law as a table: each version of each holiday with its years.
/// Olympic moves of 2020 and 2021 are one-year versions.
const RULES: &[Rule] = &[
    rule(NEW_YEAR, fixed(1, 1), FIRST_YEAR, END),
    rule(COMING_OF_AGE, fixed(1, 15), FIRST_YEAR, 1999),
    rule(COMING_OF_AGE, monday(1, 2), 2000, END),
    rule(FOUNDATION, fixed(2, 11), 1967, END),
    rule(EMPEROR, fixed(2, 23), 2020, END),
    rule(VERNAL, DateRule::VernalEquinox, FIRST_YEAR, END),
    rule(EMPEROR, fixed(4, 29), FIRST_YEAR, 1988),
    rule(GREENERY, fixed(4, 29), 1989, 2006),
    rule(SHOWA, fixed(4, 29), 2007, END),
    rule(CONSTITUTION, fixed(5, 3), FIRST_YEAR, END),
    rule(GREENERY, fixed(5, 4), 2007, END),
    rule(CHILDREN, fixed(5, 5), FIRST_YEAR, END),
    rule(MARINE, fixed(7, 20), 1996, 2002),
    rule(MARINE, monday(7, 3), 2003, 2019),
    rule(MARINE, fixed(7, 23), 2020, 2020),
    rule(MARINE, fixed(7, 22), 2021, 2021),
    rule(MARINE, monday(7, 3), 2022, END),
    rule(SPORTS, fixed(7, 24), 2020, 2020),
    rule(SPORTS, fixed(7, 23), 2021, 2021),
    rule(MOUNTAIN, fixed(8, 11), 2016, 2019),
    rule(MOUNTAIN, fixed(8, 10), 2020, 2020),
    rule(MOUNTAIN, fixed(8, 8), 2021, 2021),
    rule(MOUNTAIN, fixed(8, 11), 2022, END),
    rule(AGED, fixed(9, 15), 1966, 2002),
    rule(AGED, monday(9, 3), 2003, END),
    rule(AUTUMNAL, DateRule::AutumnalEquinox, FIRST_YEAR, END),
    rule(HEALTH_SPORTS, fixed(10, 10), 1966, 1999),
    rule(HEALTH_SPORTS, monday(10, 2), 2000, 2019),
    rule(SPORTS, monday(10, 2), 2022, END),
    rule(CULTURE, fixed(11, 3), FIRST_YEAR, END),
    rule(LABOR, fixed(11, 23), FIRST_YEAR, END),
    rule(EMPEROR, fixed(12, 23), 1989, 2018),
];

/// One-off holidays, each set by its own law for one date (year, month, day,
/// Japanese name, English name).
const SPECIAL_LAW_DAYS: &[(i32, u32, u32, &str, &str)] = &[
    (
        1959,
        4,
        10,
        "皇太子明仁親王の結婚の儀",
        "Wedding of Crown Prince Akihito",
    ),
    (
        1989,
        2,
        24,
        "昭和天皇の大喪の礼",
        "State Funeral of Emperor Showa",
    ),
    (1990, 11, 12, "即位礼正殿の儀", "Enthronement Ceremony"),
    (
        1993,
        6,
        9,
        "皇太子徳仁親王の結婚の儀",
        "Wedding of Crown Prince Naruhito",
    ),
    (2019, 5, 1, "天皇の即位の日", "Emperor's Enthronement Day"),
    (2019, 10, 22, "即位礼正殿の儀", "Enthronement Ceremony"),
];

/// Substitute holidays exist for Sunday holidays from this day on (law of 1973-04-12).
const SUBSTITUTE_FROM: (i32, u32, u32) = (1973, 4, 12);
/// Citizens' holidays exist from this day on (law of 1985-12-27).
const CITIZENS_FROM: (i32, u32, u32) = (1985, 12, 27);
/// From this year the 2005 amendment applies: substitutes skip over holidays,
/// citizens' holidays may fall on Sundays.
const AMENDMENT_2007: i32 = 2007;

/// The holiday on `date`, if any — national, substitute, citizens' or
/// special-law (all close the offices, domain R3). `None` outside 1955–2099,
/// where this module makes no claim.
pub fn national_holiday(date: NaiveDate) -> Option<Holiday> {
    holidays_in_year(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, h)| h)
}

/// Every holiday of `year`, sorted by date; empty outside 1955–2099. Used by
/// `queue-server holidays YEAR` and to check a year against the Cabinet Office list.
pub fn holidays_in_year(year: i32) -> Vec<(NaiveDate, Holiday)> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Vec::new();
    }
    let mut days = proper_holidays(year);
    let substitutes = substitute_holidays(&days);
    let citizens: Vec<NaiveDate> = citizens_holidays(&days, &substitutes);
    days.extend(substitutes.into_iter().map(|d| (d, SUBSTITUTE)));
    days.extend(citizens.into_iter().map(|d| (d, CITIZENS)));
    days.sort_by_key(|(d, _)| *d);
    days
}

/// Holidays that count as 国民の祝日 for the substitute and citizens' rules:
/// the law's holidays and the special-law one-offs, sorted.
fn proper_holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let mut days: Vec<(NaiveDate, Holiday)> = RULES
        .iter()
        .filter(|r| (r.from..=r.to).contains(&year))
        .filter_map(|r| {
            let holiday = Holiday {
                name_ja: r.name_ja,
                name_en: r.name_en,
                kind: HolidayKind::National,
            };
            rule_date(r.date, year).map(|d| (d, holiday))
        })
        .collect();
    days.extend(
        SPECIAL_LAW_DAYS
            .iter()
            .filter(|(y, ..)| *y == year)
            .filter_map(|&(y, m, d, name_ja, name_en)| {
                let holiday = Holiday {
                    name_ja,
                    name_en,
                    kind: HolidayKind::SpecialLaw,
                };
                NaiveDate::from_ymd_opt(y, m, d).map(|date| (date, holiday))
            }),
    );
    days.sort_by_key(|(d, _)| *d);
    days
}

/// 振替休日 for a year's proper holidays: a Sunday holiday (from 1973-04-12)
/// moves to the next day (until 2006, only if that day is not itself a
/// holiday) or, from 2007, to the first following day that is not a holiday.
fn substitute_holidays(proper: &[(NaiveDate, Holiday)]) -> Vec<NaiveDate> {
    let is_proper = |d: NaiveDate| proper.iter().any(|(p, _)| *p == d);
    let Some(from) = ymd(SUBSTITUTE_FROM) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &(date, _) in proper {
        if date.weekday() != Weekday::Sun || date < from {
            continue;
        }
        let mut next = date + Duration::days(1);
        if date.year() >= AMENDMENT_2007 {
            while is_proper(next) {
                next += Duration::days(1);
            }
        } else if is_proper(next) {
            continue;
        }
        if !out.contains(&next) {
            out.push(next);
        }
    }
    out
}

/// 国民の休日: a day that is not a holiday itself, whose previous and next
/// days are proper holidays (substitutes do not count), from 1985-12-27;
/// until 2006 never a Sunday. Saturdays qualify.
fn citizens_holidays(proper: &[(NaiveDate, Holiday)], substitutes: &[NaiveDate]) -> Vec<NaiveDate> {
    let is_proper = |d: NaiveDate| proper.iter().any(|(p, _)| *p == d);
    let Some(from) = ymd(CITIZENS_FROM) else {
        return Vec::new();
    };
    proper
        .iter()
        .map(|(d, _)| *d + Duration::days(1))
        .filter(|&d| d >= from)
        .filter(|&d| !is_proper(d) && !substitutes.contains(&d))
        .filter(|&d| is_proper(d + Duration::days(1)))
        .filter(|&d| d.year() >= AMENDMENT_2007 || d.weekday() != Weekday::Sun)
        .collect()
}

fn ymd((y, m, d): (i32, u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The date a rule gives in `year`.
fn rule_date(rule: DateRule, year: i32) -> Option<NaiveDate> {
    match rule {
        DateRule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
        DateRule::NthMonday { month, n } => {
            NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n)
        }
        DateRule::VernalEquinox => NaiveDate::from_ymd_opt(year, 3, vernal_equinox_day(year)?),
        DateRule::AutumnalEquinox => NaiveDate::from_ymd_opt(year, 9, autumnal_equinox_day(year)?),
    }
}

/// Day of March of the vernal equinox (春分日), by the standard approximation
/// used for the Japanese calendar:
/// `INT(C + 0.242194 (Y − 1980) − INT((Y − B) / 4))` with
/// C = 20.8357, B = 1983 for 1900–1979 and C = 20.8431, B = 1980 for 1980–2099.
/// The inner INT truncates toward zero (for years before 1983 its argument is
/// negative): this is what matches the observed dates, e.g. 1960-03-20 and
/// 1976-03-20, where flooring would give the 21st.
pub fn vernal_equinox_day(year: i32) -> Option<u32> {
    match year {
        1900..=1979 => Some(equinox_formula(20.8357, year, 1983)),
        1980..=2099 => Some(equinox_formula(20.8431, year, 1980)),
        _ => None,
    }
}

/// Day of September of the autumnal equinox (秋分日), same formula as
/// [`vernal_equinox_day`] with C = 23.2588 (1900–1979) and 23.2488 (1980–2099).
pub fn autumnal_equinox_day(year: i32) -> Option<u32> {
    match year {
        1900..=1979 => Some(equinox_formula(23.2588, year, 1983)),
        1980..=2099 => Some(equinox_formula(23.2488, year, 1980)),
        _ => None,
    }
}

fn equinox_formula(constant: f64, year: i32, leap_base: i32) -> u32 {
    // Rust's integer `/` truncates toward zero, exactly the formula's INT.
    let leap_days = f64::from((year - leap_base) / 4);
    let day = constant + 0.242194 * f64::from(year - 1980) - leap_days;
    // Always between 19 and 25 for the years accepted above.
    day.floor() as u32
}
