//! Words for numbers: counts with the right singular or plural (`1 record`, `2 records`),
//! large numbers grouped (`1,000,000`), and ratios and times without trailing zeros (`20 %`,
//! `3.937 s`), and user text made safe inside Markdown (`cell`, `inline`). Integer arithmetic only, so the text is the same on every machine. It is not a
//! general English library: nouns whose plural is not regular are given both forms.

/// `1 record`, `3 records`, `0 records`.
pub fn count(count: u64, noun: &str) -> String {
    format!("{count} {}", noun_for(count, noun))
}

/// The noun's singular for 1, its regular plural otherwise (`-y` → `-ies`, `-s`, `-x`, `-sh`,
/// `-ch` → `-es`; a noun phrase pluralises its first word when it has `of`).
pub fn noun_for(count: u64, noun: &str) -> String {
    if count == 1 {
        return noun.to_string();
    }
    if let Some((head, tail)) = noun.split_once(" of ") {
        return format!("{} of {tail}", plural(head));
    }
    plural(noun)
}

fn plural(noun: &str) -> String {
    let consonant_y = noun.ends_with('y')
        && !noun.ends_with("ay")
        && !noun.ends_with("ey")
        && !noun.ends_with("oy");
    if consonant_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if ["s", "x", "sh", "ch"].iter().any(|end| noun.ends_with(end)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// A virtual time in µs for people, without trailing zeros: `17 us`, `12.3 ms`, `3.937 s`,
/// `2 s`.
pub fn time_us(us: u64) -> String {
    if us < 1_000 {
        format!("{us} us")
    } else if us < 1_000_000 {
        format!("{} ms", decimal(us, 1_000))
    } else {
        format!("{} s", decimal(us, 1_000_000))
    }
}

/// `value / unit` with the decimals it needs (none when whole).
pub fn decimal(value: u64, unit: u64) -> String {
    let whole = value / unit;
    let rest = value % unit;
    if rest == 0 {
        return whole.to_string();
    }
    let digits = unit.ilog10() as usize;
    let fraction = format!("{rest:0digits$}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// A share in percent with at most one decimal and no trailing zero: `20 %`, `33.3 %`.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0 %".to_string();
    }
    let tenths = (u128::from(part) * 1_000 + u128::from(whole) / 2) / u128::from(whole);
    format!("{} %", decimal(tenths as u64, 10))
}

/// Text inside a Markdown table cell: `|` escaped, line breaks as spaces.
pub fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text inline in Markdown: characters that would start markup are escaped.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` wrapped at `width` columns (counted in characters): the first line starts with
/// `first`, the others with `indent` spaces; a word longer than a line stands alone. Words are
/// split at ASCII spaces only, so a caller keeps a phrase on one line by joining it with
/// no-break spaces (U+00A0), which come out as spaces. Ends with a newline.
pub fn wrap(text: &str, width: usize, first: &str, indent: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut line = first.to_string();
    let mut line_len = first.chars().count();
    let mut empty = true;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let word_len = word.chars().count();
        if !empty && line_len + 1 + word_len > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            line_len = indent;
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += word_len;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out.replace('\u{a0}', " ")
}

/// Every line of `text` longer than `width` wrapped, its continuation lines indented four
/// more than it; a unit (`ms`, `s`, `%`, …) stays with the number before it.
pub fn wrap_long_lines(text: &str, width: usize) -> String {
    const UNITS: [&str; 7] = ["us", "ms", "s", "m", "h", "d", "%"];
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.lines() {
        if line.chars().count() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let mut glued: Vec<String> = Vec::new();
        for word in line.trim_start().split(' ') {
            let bare = word.trim_end_matches([',', ')', ';']);
            let unit = UNITS.contains(&bare);
            match glued.last_mut() {
                Some(last) if unit => {
                    last.push('\u{a0}');
                    last.push_str(word);
                }
                _ => glued.push(word.to_string()),
            }
        }
        out.push_str(&wrap(
            &glued.join(" "),
            width,
            &" ".repeat(indent),
            indent + 4,
        ));
    }
    out
}

/// `text` as one unbreakable phrase for `wrap`.
pub fn glued(text: &str) -> String {
    text.replace(' ', "\u{a0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "record"), "1 record");
        assert_eq!(count(0, "record"), "0 records");
        assert_eq!(count(2, "key-order inversion"), "2 key-order inversions");
        assert_eq!(count(2, "delivery"), "2 deliveries");
        assert_eq!(count(3, "key"), "3 keys");
        assert_eq!(count(2, "crash"), "2 crashes");
        assert_eq!(count(2, "member of the group"), "2 members of the group");
    }

    #[test]
    fn wrapped_lines_fit_and_keep_their_indent() {
        assert_eq!(
            wrap("one two three four", 10, "- ", 2),
            "- one two\n  three\n  four\n"
        );
        assert_eq!(wrap("", 10, "x ", 2), "x\n");
    }

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(cell("a|b_c"), "a\\|b\\_c");
    }

    #[test]
    fn times_and_ratios_have_no_trailing_zeros() {
        assert_eq!(time_us(3_937_000), "3.937 s");
        assert_eq!(time_us(2_000_000), "2 s");
        assert_eq!(time_us(12_300), "12.3 ms");
        assert_eq!(time_us(17), "17 us");
        assert_eq!(time_us(1_000_001), "1.000001 s");
        assert_eq!(percent(1, 5), "20 %");
        assert_eq!(percent(1, 3), "33.3 %");
        assert_eq!(percent(0, 0), "0 %");
    }
}
