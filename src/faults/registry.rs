//! [`Faults`]: the live rules with their counters, the start-up rules that a reset brings
//! back, and the run-wide latency (`--latency`); and [`Faults::plan`], which walks the rules
//! for one call and says what happens to it.
//!
//! Reads are lock-free: the rule list is an `ArcSwap` snapshot, each rule's counters are
//! atomics, and "is anything set at all?" is one relaxed atomic load, so that with no rule set
//! the seed's GET pays one load. Changes (add, remove, clear, reset) are serialised by one
//! mutex and publish a new snapshot; a call being planned keeps the snapshot it started with.
//!
//! Which calls a fraction picks depends only on the seed and on how many calls the rule had
//! matched before (the k-th matching call fires when a hash of (seed, k) falls below the
//! share), so a run that makes the same calls in the same order sees the same faults.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use serde_json::Value;

use super::route::ZammadRoute;
use super::rule::{Delay, Fault, FaultRule, FaultsError};
use super::MAX_WAIT_MS;

/// One rule as it runs: the rule, its id and its counters.
#[derive(Debug)]
struct Live {
    id: u64,
    rule: FaultRule,
    /// Calls the rule matched (the fraction's index).
    matched: AtomicU64,
    /// Calls it acted on.
    fired: AtomicU64,
}

impl Live {
    fn new(id: u64, rule: FaultRule) -> Arc<Self> {
        Arc::new(Self {
            id,
            rule,
            matched: AtomicU64::new(0),
            fired: AtomicU64::new(0),
        })
    }

    /// Whether a `times` rule has fired its last time.
    fn is_spent(&self) -> bool {
        self.rule
            .times
            .is_some_and(|n| self.fired.load(Ordering::Relaxed) >= n)
    }

    /// Takes one firing; false when a concurrent call took the last one.
    fn claim(&self) -> bool {
        match self.rule.times {
            None => {
                self.fired.fetch_add(1, Ordering::Relaxed);
                true
            }
            Some(n) => self
                .fired
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| {
                    (f < n).then_some(f + 1)
                })
                .is_ok(),
        }
    }

    fn status(&self) -> FaultStatus {
        FaultStatus {
            id: self.id,
            rule: self.rule.clone(),
            matched: self.matched.load(Ordering::Relaxed),
            fired: self.fired.load(Ordering::Relaxed),
        }
    }
}

/// A rule as `GET /__mock/faults` lists it: the rule, its id, and how often it matched and
/// fired.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultStatus {
    /// The rule's id (start-up rules are 1, 2, …; added rules continue, never reused).
    pub id: u64,
    /// The rule.
    pub rule: FaultRule,
    /// Calls it matched.
    pub matched: u64,
    /// Calls it acted on.
    pub fired: u64,
}

impl FaultStatus {
    /// Whether a rule limited by `times` has fired its last time (it stays listed).
    pub fn is_spent(&self) -> bool {
        self.rule.times.is_some_and(|n| self.fired >= n)
    }

    /// The listing's JSON: the id, the rule's keys, then the counters.
    pub(crate) fn to_value(&self) -> Value {
        let mut map = serde_json::Map::new();
        map.insert("id".into(), self.id.into());
        map.extend(self.rule.to_map());
        map.insert("matched".into(), self.matched.into());
        map.insert("fired".into(), self.fired.into());
        map.insert("spent".into(), self.is_spent().into());
        Value::Object(map)
    }
}

/// What a rule that needs the caller knows of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallerFacts {
    /// The user the request acts as.
    pub(crate) user_id: i64,
    /// That user's login.
    pub(crate) login: Option<String>,
    /// That user's email.
    pub(crate) email: Option<String>,
    /// Holds `admin`: sees a 500's raw message (`handles_errors.rb#humanize_error`).
    pub(crate) is_admin: bool,
    /// Holds `admin.maintenance`: passes maintenance mode (`Auth::MaintenanceMode.blocks?`).
    pub(crate) passes_maintenance: bool,
}

/// What happens to one call.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// Milliseconds to wait before anything else (run-wide latency and latency rules).
    pub(crate) delay_ms: u64,
    /// The first latency rule that fired, if any.
    pub(crate) delayed_by: Option<u64>,
    /// The rule that answers instead of the call, and what it does.
    pub(crate) answer: Option<(u64, Fault)>,
    /// The caller, when a rule needed to know them and they authenticated.
    pub(crate) caller: Option<CallerFacts>,
}

/// The rules of one server.
#[derive(Debug)]
pub struct Faults {
    /// Any rule set, or a run-wide latency: the one thing a call reads when nothing is.
    active: AtomicBool,
    rules: ArcSwap<Vec<Arc<Live>>>,
    /// The next id of an added rule; held while the rule list changes.
    writer: Mutex<u64>,
    start_up: Vec<FaultRule>,
    latency: Option<Delay>,
    /// Calls the run-wide latency delayed (the index of its range draws).
    latency_calls: AtomicU64,
}

impl Faults {
    /// The start-up rules (ids 1, 2, …) and the run-wide latency.
    ///
    /// # Errors
    /// The first invalid start-up rule (`faults[i]…`) or latency (`latency`).
    pub(crate) fn new(
        start_up: Vec<FaultRule>,
        latency: Option<Delay>,
    ) -> Result<Self, FaultsError> {
        for (i, rule) in start_up.iter().enumerate() {
            rule.validate(&format!("faults[{i}]"))?;
        }
        if let Some(delay) = latency {
            if delay.max_ms() > MAX_WAIT_MS {
                return Err(FaultsError {
                    path: "latency".into(),
                    reason: format!("at most {MAX_WAIT_MS} ms"),
                });
            }
        }
        let faults = Self {
            active: AtomicBool::new(false),
            rules: ArcSwap::from_pointee(Vec::new()),
            writer: Mutex::new(1),
            start_up,
            latency,
            latency_calls: AtomicU64::new(0),
        };
        faults.reset();
        Ok(faults)
    }

    /// Whether anything can happen to a call at all: one relaxed load, the whole cost of
    /// faults to a call while none is set.
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// The run-wide latency.
    pub(crate) fn latency(&self) -> Option<Delay> {
        self.latency
    }

    /// Publishes `rules`. Locking: the caller holds `writer`.
    fn publish(&self, rules: Vec<Arc<Live>>) {
        self.active.store(
            !rules.is_empty() || self.latency.is_some(),
            Ordering::Relaxed,
        );
        self.rules.store(Arc::new(rules));
    }

    /// Adds `rule` after the others; its id.
    ///
    /// # Errors
    /// When the rule is invalid (the place is named from `rule`); nothing changes then.
    ///
    /// Locking: the writer mutex.
    pub(crate) fn add(&self, rule: FaultRule) -> Result<u64, FaultsError> {
        rule.validate("rule")?;
        let mut next = self.writer.lock();
        let id = *next;
        *next += 1;
        let mut rules = self.rules.load().as_ref().clone();
        rules.push(Live::new(id, rule));
        self.publish(rules);
        Ok(id)
    }

    /// Replaces every rule with `rules` (new ids); their ids.
    ///
    /// # Errors
    /// When a rule is invalid (named from `faults[i]`); nothing changes then.
    ///
    /// Locking: the writer mutex.
    pub(crate) fn replace(&self, rules: Vec<FaultRule>) -> Result<Vec<u64>, FaultsError> {
        for (i, rule) in rules.iter().enumerate() {
            rule.validate(&format!("faults[{i}]"))?;
        }
        let mut next = self.writer.lock();
        let live: Vec<Arc<Live>> = rules
            .into_iter()
            .map(|rule| {
                let id = *next;
                *next += 1;
                Live::new(id, rule)
            })
            .collect();
        let ids = live.iter().map(|l| l.id).collect();
        self.publish(live);
        Ok(ids)
    }

    /// Removes rule `id`; whether there was one.
    ///
    /// Locking: the writer mutex.
    pub(crate) fn remove(&self, id: u64) -> bool {
        let _next = self.writer.lock();
        let mut rules = self.rules.load().as_ref().clone();
        let before = rules.len();
        rules.retain(|live| live.id != id);
        let removed = rules.len() != before;
        if removed {
            self.publish(rules);
        }
        removed
    }

    /// Removes every rule, the start-up ones too (until the next reset).
    ///
    /// Locking: the writer mutex.
    pub(crate) fn clear(&self) {
        let _next = self.writer.lock();
        self.publish(Vec::new());
    }

    /// Back to the start-up rules, with their own ids and counters at zero; added rules go.
    ///
    /// Locking: the writer mutex.
    pub(crate) fn reset(&self) {
        let mut next = self.writer.lock();
        let rules: Vec<Arc<Live>> = (1..)
            .zip(self.start_up.iter().cloned())
            .map(|(id, rule)| Live::new(id, rule))
            .collect();
        *next = (*next).max(rules.len() as u64 + 1);
        self.latency_calls.store(0, Ordering::Relaxed);
        self.publish(rules);
    }

    /// Every rule, in the order they are tried.
    pub(crate) fn list(&self) -> Vec<FaultStatus> {
        self.rules.load().iter().map(|live| live.status()).collect()
    }

    /// Rule `id`.
    pub(crate) fn get(&self, id: u64) -> Option<FaultStatus> {
        self.rules
            .load()
            .iter()
            .find(|live| live.id == id)
            .map(|live| live.status())
    }

    /// What happens to a call of `method` on `path`. Rules are tried in order: each latency
    /// rule that fires adds its wait and the walk goes on; the first other rule that fires
    /// answers instead of the call, and the walk stops. `caller` is asked at most once, at the
    /// first rule that needs to know who calls (`None`: the credentials failed, so such
    /// rules do not apply).
    pub(crate) fn plan(
        &self,
        method: &str,
        path: &str,
        caller: &mut dyn FnMut() -> Option<CallerFacts>,
    ) -> Plan {
        let mut plan = Plan::default();
        if let Some(delay) = self.latency {
            let k = self.latency_calls.fetch_add(1, Ordering::Relaxed);
            plan.delay_ms = draw(delay, 0, k);
        }
        let route = ZammadRoute::of(method, path);
        let mut asked: Option<Option<CallerFacts>> = None;
        for live in self.rules.load().iter() {
            let rule = &live.rule;
            if live.is_spent() || !rule.matches_call(method, path, route) {
                continue;
            }
            if rule.needs_caller() {
                let Some(facts) = asked.get_or_insert_with(&mut *caller) else {
                    continue;
                };
                let names = [facts.login.as_deref(), facts.email.as_deref()];
                if !rule.matches_caller(facts.user_id, names)
                    || (rule.fault == Fault::Maintenance && facts.passes_maintenance)
                {
                    continue;
                }
            }
            let k = live.matched.fetch_add(1, Ordering::Relaxed);
            if rule.fraction.is_some_and(|p| !is_chosen(rule.seed, k, p)) || !live.claim() {
                continue;
            }
            match &rule.fault {
                Fault::Latency(delay) => {
                    plan.delay_ms = plan.delay_ms.saturating_add(draw(*delay, rule.seed, k));
                    plan.delayed_by.get_or_insert(live.id);
                }
                fault => {
                    plan.answer = Some((live.id, fault.clone()));
                    break;
                }
            }
        }
        plan.delay_ms = plan.delay_ms.min(MAX_WAIT_MS);
        plan.caller = asked.flatten();
        plan
    }
}

/// SplitMix64's finaliser over (seed, k): the same pair always gives the same number.
fn mix(seed: u64, k: u64) -> u64 {
    let mut z = seed.wrapping_add(k.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether the k-th matching call is one of the share `p` that `seed` picks.
fn is_chosen(seed: u64, k: u64, p: f64) -> bool {
    // 53 bits: exactly the precision of an f64 in [0, 1).
    let unit = (mix(seed, k) >> 11) as f64 / (1u64 << 53) as f64;
    unit < p
}

/// The wait of the k-th call for `delay` (a range draws from a stream of its own, apart from
/// the fraction's).
fn draw(delay: Delay, seed: u64, k: u64) -> u64 {
    match delay {
        Delay::Fixed(ms) => ms,
        Delay::Range { min, max } => min + mix(seed ^ 0x5EED_1A7E_0C0F_FEE5, k) % (max - min + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::rule::HoldEnd;

    fn nobody() -> Option<CallerFacts> {
        None
    }

    fn agent() -> Option<CallerFacts> {
        Some(CallerFacts {
            user_id: 3,
            login: Some("test@test.de".into()),
            email: Some("test@test.de".into()),
            is_admin: false,
            passes_maintenance: false,
        })
    }

    #[test]
    fn nothing_set_is_inactive_and_plans_nothing() {
        let faults = Faults::new(Vec::new(), None).unwrap();
        assert!(!faults.is_active());
        assert_eq!(
            faults.plan("GET", "/api/v1/links", &mut nobody),
            Plan::default()
        );
    }

    #[test]
    fn times_fires_the_next_n_matching_calls_only() {
        let faults = Faults::new(Vec::new(), None).unwrap();
        faults
            .add(FaultRule::new(Fault::Drop).method("POST").times(2))
            .unwrap();
        let answers: Vec<bool> = (0..4)
            .map(|_| faults.plan("POST", "/x", &mut nobody).answer.is_some())
            .collect();
        assert_eq!(answers, [true, true, false, false]);
        assert!(faults.plan("GET", "/x", &mut nobody).answer.is_none());
        let status = &faults.list()[0];
        assert_eq!(
            (status.matched, status.fired, status.is_spent()),
            (2, 2, true)
        );
    }

    #[test]
    fn a_seeded_fraction_picks_the_same_calls_every_run() {
        let picks = |seed| {
            let faults =
                Faults::new(vec![FaultRule::new(Fault::Drop).fraction(0.3, seed)], None).unwrap();
            (0..200)
                .map(|_| faults.plan("GET", "/x", &mut nobody).answer.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(picks(7), picks(7));
        assert_ne!(picks(7), picks(8));
        let fired = picks(7).iter().filter(|&&p| p).count();
        assert!((40..=80).contains(&fired), "{fired} of 200");
    }

    #[test]
    fn latency_rules_add_up_and_the_first_other_rule_answers() {
        let faults = Faults::new(
            vec![
                FaultRule::new(Fault::Latency(Delay::Fixed(10))),
                FaultRule::new(Fault::BadGateway).path("/a"),
                FaultRule::new(Fault::Latency(Delay::Range { min: 5, max: 6 })),
                FaultRule::new(Fault::Drop),
            ],
            Some(Delay::Fixed(1)),
        )
        .unwrap();
        let plan = faults.plan("GET", "/a", &mut nobody);
        assert_eq!((plan.delay_ms, plan.delayed_by), (11, Some(1)));
        assert_eq!(plan.answer, Some((2, Fault::BadGateway)));
        let plan = faults.plan("GET", "/b", &mut nobody);
        assert!((16..=17).contains(&plan.delay_ms), "{}", plan.delay_ms);
        assert_eq!(plan.answer, Some((4, Fault::Drop)));
    }

    #[test]
    fn the_caller_is_asked_once_and_only_when_a_rule_needs_them() {
        let faults = Faults::new(
            vec![
                FaultRule::new(Fault::Drop).caller_id(99),
                FaultRule::new(Fault::Maintenance),
                FaultRule::new(Fault::Drop).caller_login("TEST@test.de"),
            ],
            None,
        )
        .unwrap();
        let mut asked = 0;
        let plan = faults.plan("GET", "/x", &mut || {
            asked += 1;
            agent()
        });
        assert_eq!(asked, 1);
        assert_eq!(plan.answer, Some((2, Fault::Maintenance)));
        assert_eq!(plan.caller, agent());
        // A caller whose credentials fail meets none of them.
        assert!(faults.plan("GET", "/x", &mut nobody).answer.is_none());
        // Admins pass maintenance mode.
        let mut admin = || {
            agent().map(|facts| CallerFacts {
                passes_maintenance: true,
                ..facts
            })
        };
        assert_eq!(
            faults.plan("GET", "/x", &mut admin).answer,
            Some((3, Fault::Drop))
        );
        let faults = Faults::new(vec![FaultRule::new(Fault::Drop)], None).unwrap();
        faults.plan("GET", "/x", &mut || -> Option<CallerFacts> {
            panic!("no rule needs the caller")
        });
    }

    #[test]
    fn reset_brings_back_the_start_up_rules_and_added_ids_are_never_reused() {
        let faults = Faults::new(vec![FaultRule::new(Fault::Drop)], None).unwrap();
        let hold = Fault::Hold {
            ms: 5,
            then: HoldEnd::Drop,
        };
        assert_eq!(faults.add(FaultRule::new(hold.clone())), Ok(2));
        faults.plan("GET", "/x", &mut nobody);
        faults.clear();
        assert!(!faults.is_active());
        faults.reset();
        let listed = faults.list();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].fired), (1, 0));
        assert_eq!(faults.add(FaultRule::new(hold)), Ok(3));
        assert!(faults.remove(1) && !faults.remove(1));
    }
}
