//! Virtual time: integer microseconds since the start of the run.

use std::fmt;

/// A point in virtual time, in microseconds since the run started. Advanced only by the agenda.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn as_us(self) -> u64 {
        self.0
    }

    /// `self + delay_us`, saturating: a saturated time is past every limit, so it never runs.
    pub fn plus_us(self, delay_us: u64) -> SimTime {
        SimTime(self.0.saturating_add(delay_us))
    }
}

impl fmt::Display for SimTime {
    /// Human form used by text reports: `12.345 ms`, `1.500000 s`, `17 us`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_us(self.0))
    }
}

/// Formats a duration in microseconds for people: below 1 ms as `µs`, below 1 s as `ms`
/// with three decimals, else seconds with six decimals. Integer arithmetic only, so the text is
/// identical on every machine.
pub fn format_us(us: u64) -> String {
    if us < 1_000 {
        format!("{us} us")
    } else if us < 1_000_000 {
        format!("{}.{:03} ms", us / 1_000, us % 1_000)
    } else {
        format!("{}.{:06} s", us / 1_000_000, us % 1_000_000)
    }
}

/// Formats a configured duration exactly, in the largest unit that divides it: `7 d`, `45 s`,
/// `500 ms`, `250 us` (the same units the command line takes).
pub fn format_duration_us(us: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (86_400_000_000, "d"),
        (3_600_000_000, "h"),
        (60_000_000, "m"),
        (1_000_000, "s"),
        (1_000, "ms"),
    ];
    for (size, unit) in UNITS {
        if us >= size && us.is_multiple_of(size) {
            return format!("{} {unit}", us / size);
        }
    }
    format!("{us} us")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_us_picks_the_unit_by_size() {
        assert_eq!(format_us(17), "17 us");
        assert_eq!(format_us(12_345), "12.345 ms");
        assert_eq!(format_us(1_500_000), "1.500000 s");
    }

    #[test]
    fn format_duration_us_uses_the_largest_exact_unit() {
        assert_eq!(format_duration_us(604_800_000_000), "7 d");
        assert_eq!(format_duration_us(45_000_000), "45 s");
        assert_eq!(format_duration_us(1_500_000), "1500 ms");
        assert_eq!(format_duration_us(250), "250 us");
        assert_eq!(format_duration_us(0), "0 us");
    }

    #[test]
    fn plus_us_saturates_instead_of_wrapping() {
        assert_eq!(SimTime(u64::MAX - 1).plus_us(5), SimTime(u64::MAX));
    }
}
