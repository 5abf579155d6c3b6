//! `queue-server renewal`: the guide's answer on a terminal, as text or as the API's exact
//! JSON. It needs no server and opens no data directory, so it lists the offices without live
//! figures.

use std::io::Write;

use clap::Args;

use super::{Question, answer, parse_date, parse_who, plain};
use crate::calendar;
use crate::cli::CliError;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::http::pages::Lang;

/// Arguments of `queue-server renewal`.
#[derive(Debug, Args)]
pub struct RenewalArgs {
    /// The certificate's expiry date (YYYY-MM-DD), from the notice or Mynaportal.
    #[arg(long, value_name = "YYYY-MM-DD")]
    expires: String,
    /// The day to answer for (YYYY-MM-DD; default today in Japan, following --now).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Who comes: self, legal, legal_alone, proxy_notice or proxy_inquiry.
    #[arg(long, value_name = "WHO", default_value = "self")]
    who: String,
    /// Print the API's JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Language of the text: ja (default) or en.
    #[arg(long, value_name = "LANG", default_value = "ja",
          value_parser = clap::builder::PossibleValuesParser::new(["ja", "en"]))]
    lang: String,
}

/// Prints the answer; an invalid date or `who` is an error for stderr (exit 1).
pub fn run(args: &RenewalArgs, config: &Config, clock: &SharedClock) -> Result<(), CliError> {
    let expires = parse_date("expires", &args.expires)?;
    let today = match &args.today {
        Some(text) => parse_date("today", text)?,
        None => calendar::business_date(clock.now()),
    };
    let who = parse_who(Some(&args.who))?;
    let answer = answer(
        Question {
            expires,
            today,
            who,
        },
        config,
        |_, _| None,
    )?;
    let text = if args.json {
        serde_json::to_string_pretty(&answer).map_err(std::io::Error::other)? + "\n"
    } else {
        plain(&answer, Lang::from_query(Some(&args.lang)))
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
