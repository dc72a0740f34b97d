//! Durations and windows on the command line: `250us`, `10ms`, `5s`, `2m`, `1h`, `1d`;
//! a window is `FROM..TO`, e.g. `10ms..25ms`.

/// Parses a duration into microseconds.
pub fn parse_duration_us(text: &str) -> Result<u64, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() {
        return Err(format!(
            "invalid duration \"{text}\" (expected an integer and a unit, e.g. \"10ms\")"
        ));
    }
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("duration \"{text}\" is too large"))?;
    let scale: u64 = match unit {
        "us" => 1,
        "ms" => 1_000,
        "s" => 1_000_000,
        "m" => 60_000_000,
        "h" => 3_600_000_000,
        "d" => 86_400_000_000,
        "" => {
            return Err(format!(
                "duration \"{text}\" needs a unit: us, ms, s, m, h or d"
            ));
        }
        other => {
            return Err(format!(
                "unknown unit \"{other}\" in \"{text}\" (expected us, ms, s, m, h or d)"
            ));
        }
    };
    value
        .checked_mul(scale)
        .ok_or_else(|| format!("duration \"{text}\" is too large"))
}

/// Parses `FROM..TO` into microseconds; either side may be left out.
pub fn parse_window_us(text: &str) -> Result<(u64, u64), String> {
    let Some((from, to)) = text.split_once("..") else {
        return Err(format!(
            "invalid window \"{text}\" (expected FROM..TO, e.g. \"10ms..25ms\")"
        ));
    };
    let from_us = if from.is_empty() {
        0
    } else {
        parse_duration_us(from)?
    };
    let to_us = if to.is_empty() {
        u64::MAX
    } else {
        parse_duration_us(to)?
    };
    if from_us > to_us {
        return Err(format!("window \"{text}\" ends before it starts"));
    }
    Ok((from_us, to_us))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_every_unit() {
        assert_eq!(parse_duration_us("250us"), Ok(250));
        assert_eq!(parse_duration_us("10ms"), Ok(10_000));
        assert_eq!(parse_duration_us("5s"), Ok(5_000_000));
        assert_eq!(parse_duration_us("2m"), Ok(120_000_000));
        assert_eq!(parse_duration_us("1h"), Ok(3_600_000_000));
        assert_eq!(parse_duration_us("1d"), Ok(86_400_000_000));
    }

    #[test]
    fn bad_durations_say_what_is_wrong() {
        assert_eq!(
            parse_duration_us("10"),
            Err("duration \"10\" needs a unit: us, ms, s, m, h or d".to_string())
        );
        assert_eq!(
            parse_duration_us("10sec"),
            Err("unknown unit \"sec\" in \"10sec\" (expected us, ms, s, m, h or d)".to_string())
        );
        assert!(parse_duration_us("ms").is_err());
        assert!(parse_duration_us("99999999999999999999d").is_err());
    }

    #[test]
    fn windows_parse_both_ends() {
        assert_eq!(parse_window_us("10ms..25ms"), Ok((10_000, 25_000)));
        assert_eq!(parse_window_us("..1s"), Ok((0, 1_000_000)));
        assert!(parse_window_us("25ms..10ms").is_err());
        assert!(parse_window_us("10ms").is_err());
    }
}
