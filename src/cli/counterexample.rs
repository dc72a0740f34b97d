//! The trace lines around a broken expectation's first counterexample, for `eventlab run`'s
//! error message: the message the expectation names (`checkout-0/421`, or a skipped record
//! named by its place, `payments[3]@144`, looked up in the trace's `appended` line), every line
//! that mentions it, the first commit that moved past it, and the first crashes after it. A pure
//! function of the trace text; it is not a trace reader for tools.

/// What the detail names as its first counterexample: the text after `first: `.
fn named(detail: &str) -> Option<&str> {
    let start = detail.find("first: ")? + "first: ".len();
    let rest = &detail[start..];
    let end = rest.find([')', ';']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// `stream[partition]@offset` split up.
fn place(name: &str) -> Option<(&str, u64, u64)> {
    let (stream, rest) = name.split_once('[')?;
    let (partition, offset) = rest.split_once("]@")?;
    Some((stream, partition.parse().ok()?, offset.parse().ok()?))
}

/// At most this many crash lines are shown.
const CRASHES_MAX: usize = 2;

/// At most this many lines are shown.
const LINES_MAX: usize = 12;

/// The message id and the trace lines about the counterexample `detail` names, in trace order.
pub fn lines<'t>(trace: &'t str, detail: &str) -> Option<(String, Vec<&'t str>)> {
    let name = named(detail)?;
    let events = trace.lines().skip(1);
    let (message, partition) = match place(name) {
        Some((stream, partition, offset)) => {
            let appended = format!(
                "\"kind\":\"appended\",\"stream\":\"{stream}\",\"partition\":{partition},\"offset\":{offset},"
            );
            let line = events.clone().find(|line| line.contains(&appended))?;
            let message = line.split("\"msg\":\"").nth(1)?.split('"').next()?;
            (message.to_string(), Some((partition, offset)))
        }
        None => (name.to_string(), None),
    };
    let mentions = format!("\"msg\":\"{message}\"");
    let mut passed = false;
    let mut crashes = 0;
    let mut shown = Vec::new();
    for line in events {
        let about_message = line.contains(&mentions);
        let commit_past = partition.is_some_and(|(partition, offset)| {
            !passed
                && line.contains("\"kind\":\"committed\"")
                && line.contains(&format!("\"partition\":{partition},"))
                && committed_offset(line).is_some_and(|committed| committed > offset)
        });
        // The crashes after it, which are what usually made it go wrong.
        let crash =
            crashes < CRASHES_MAX && !shown.is_empty() && line.contains("\"kind\":\"crashed\"");
        crashes += usize::from(crash);
        if about_message || commit_past || crash {
            shown.push(line);
        }
        passed |= commit_past;
        if shown.len() == LINES_MAX {
            break;
        }
    }
    Some((message, shown))
}

fn committed_offset(line: &str) -> Option<u64> {
    let rest = line.split("\"offset\":").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = r#"{"trace_format":1}
{"time_us":1,"actor":"log-broker","kind":"appended","stream":"p","partition":3,"offset":144,"msg":"c-0/421"}
{"time_us":2,"actor":"log-broker","kind":"committed","group":"b","partition":3,"offset":140}
{"time_us":3,"actor":"b-1","kind":"crashed","instance":"b-1"}
{"time_us":4,"actor":"log-broker","kind":"committed","group":"b","partition":3,"offset":150}
{"time_us":5,"actor":"log-broker","kind":"committed","group":"b","partition":3,"offset":160}"#;

    #[test]
    fn a_skipped_record_is_found_by_its_place_with_the_commit_that_passed_it() {
        let (message, shown) =
            lines(TRACE, "group \"b\": 2 lost (first: p[3]@144); 0 duplicated").expect("found");
        assert_eq!(message, "c-0/421");
        let times: Vec<&str> = shown.iter().map(|line| &line[11..12]).collect();
        assert_eq!(times, ["1", "3", "4"]);
    }

    #[test]
    fn a_message_id_is_looked_up_as_it_is() {
        let (message, shown) = lines(TRACE, "2 duplicated (first: c-0/421)").expect("found");
        assert_eq!((message.as_str(), shown.len()), ("c-0/421", 2));
        assert!(lines(TRACE, "holds for every group").is_none());
    }
}
