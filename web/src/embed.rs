//! Page options from the query string: `?embed=1&controls=0|1&autoplay=0|1&theme=light|dark&scenario=<id>`.

/// Colour theme forced by the host page (otherwise the reader's preference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Light colours.
    Light,
    /// Dark colours.
    Dark,
}

/// What the query string asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageOptions {
    /// Compact view for an iframe.
    pub embed: bool,
    /// Show the playback controls (embed mode only; the full page always has them).
    pub controls: bool,
    /// Start playing at once (`Some(true)`), stay paused (`Some(false)`), or
    /// as the page decides (`None`: a plain visit plays unless the reader
    /// prefers reduced motion).
    pub autoplay: Option<bool>,
    /// Forced theme.
    pub theme: Option<Theme>,
    /// A built-in scenario to load.
    pub scenario: Option<String>,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            embed: false,
            controls: true,
            autoplay: None,
            theme: None,
            scenario: None,
        }
    }
}

/// Longest query string read; anything longer is refused, not truncated.
pub const MAX_QUERY_BYTES: usize = 2048;

/// Whether `text` can be a built-in scenario id (`leader-crash`): the shape
/// both the query string and the host page's `load` command must have.
pub fn is_scenario_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= raft_core::scenario::link::MAX_ID_BYTES
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The `key=value` pairs of `?a=b&c=d`, in order (a key without `=` has the
/// value ""; empty pairs are skipped). Values are not percent-decoded.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// Parses `?a=b&c=d`. Unknown keys are ignored (hosts add their own);
/// bad values of known keys are reported, and the rest still applies.
pub fn parse_query(query: &str) -> (PageOptions, Vec<String>) {
    let mut options = PageOptions::default();
    let mut errors = Vec::new();
    if query.len() > MAX_QUERY_BYTES {
        errors.push(format!(
            "The page address is too long (over {MAX_QUERY_BYTES} bytes); options ignored."
        ));
        return (options, errors);
    }
    let flag = |value: &str, name: &str, errors: &mut Vec<String>| match value {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        other => {
            errors.push(format!("Option {name}={other} is not 0 or 1; ignored."));
            None
        }
    };
    for (key, value) in query_pairs(query) {
        match key {
            "embed" => options.embed = flag(value, key, &mut errors).unwrap_or(options.embed),
            "controls" => {
                options.controls = flag(value, key, &mut errors).unwrap_or(options.controls)
            }
            "autoplay" => options.autoplay = flag(value, key, &mut errors).or(options.autoplay),
            "theme" => match value {
                "light" => options.theme = Some(Theme::Light),
                "dark" => options.theme = Some(Theme::Dark),
                other => errors.push(format!(
                    "Option theme={other} is not light or dark; ignored."
                )),
            },
            "scenario" => {
                if is_scenario_id(value) {
                    options.scenario = Some(value.to_string());
                } else {
                    errors.push(
                        "Option scenario= is not a scenario id; loaded the default.".to_string(),
                    );
                }
            }
            _ => {}
        }
    }
    (options, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_query() {
        assert_eq!(parse_query(""), (PageOptions::default(), vec![]));
        assert_eq!(parse_query("?"), (PageOptions::default(), vec![]));
    }

    #[test]
    fn embed_options_are_read() {
        let (o, errors) =
            parse_query("?embed=1&controls=0&autoplay=1&theme=dark&scenario=leader-crash&utm=x");
        assert!(errors.is_empty());
        assert_eq!(
            o,
            PageOptions {
                embed: true,
                controls: false,
                autoplay: Some(true),
                theme: Some(Theme::Dark),
                scenario: Some("leader-crash".into())
            }
        );
    }

    #[test]
    fn bad_values_are_reported_and_the_rest_applies() {
        let (o, errors) = parse_query("?embed=yes&theme=blue&scenario=<script>&autoplay=1");
        assert_eq!(errors.len(), 3);
        assert!(o.autoplay == Some(true) && !o.embed && o.theme.is_none() && o.scenario.is_none());
    }

    #[test]
    fn a_huge_query_is_refused() {
        let (o, errors) = parse_query(&"a".repeat(MAX_QUERY_BYTES + 1));
        assert_eq!(o, PageOptions::default());
        assert_eq!(errors.len(), 1);
    }
}
