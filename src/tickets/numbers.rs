//! Ticket numbers as Zammad's default generator writes them (`Ticket::Number::Increment`,
//! spec §2.8 and §11.1): the system id, zeros up to the minimum size, then a counter that
//! every generated number moves on by one. The counter itself is a sequence of the state
//! (`state`'s sequences, persisted with the write that uses it); this module only says how a
//! number is written and which counter value a stored number holds.

/// The system id of every default data set (`Setting.get('system_id')`, 34 on the seed).
pub const SYSTEM_ID: &str = "34";

/// `ticket_number_increment`'s `min_size` by default (no checksum).
pub const MIN_SIZE: usize = 5;

/// The number for counter value `counter`: the system id, zeros so that the number has at
/// least [`MIN_SIZE`] characters, then the counter (`increment.rb#generate`).
pub fn format(counter: u64) -> String {
    let tail = counter.to_string();
    let padding = MIN_SIZE.saturating_sub(SYSTEM_ID.len() + tail.len());
    format!("{SYSTEM_ID}{}{tail}", "0".repeat(padding))
}

/// The counter value a stored number holds: the digits after the system id, read as an
/// integer (`"34147471"` holds 147471); `None` for a number of another shape, which the
/// counter then does not have to pass.
pub fn counter_in(number: &str) -> Option<u64> {
    let rest = number.strip_prefix(SYSTEM_ID)?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_system_id_zeros_and_the_counter() {
        assert_eq!(format(1), "34001");
        assert_eq!(format(147_472), "34147472");
        assert_eq!(format(999), "34999");
        assert_eq!(format(1000), "341000");
    }

    #[test]
    fn the_counter_is_read_back_from_numbers_of_the_system_id_only() {
        assert_eq!(counter_in("34147471"), Some(147_471));
        assert_eq!(counter_in("34001"), Some(1));
        assert_eq!(counter_in("35001"), None);
        assert_eq!(counter_in("34"), None);
        assert_eq!(counter_in("34ab"), None);
        assert_eq!(counter_in(&format(42)), Some(42));
    }
}
