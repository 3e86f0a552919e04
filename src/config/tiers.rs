//! The tiers of `bench-bot.toml`: their names, what each does when it fires, and the
//! thresholds that fire it (docs/configuration.md).

use serde::Deserialize;

use crate::model::Metric;

/// What a tier does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A failing check and exit code 1.
    Block,
    /// A label and a neutral check; exit code 0.
    Review,
    /// Shown in the report only.
    Log,
}

/// The tiers, most severe first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TierName {
    /// The most severe tier.
    Critical,
    /// The middle tier.
    Warning,
    /// The least severe tier.
    Notice,
}

impl TierName {
    /// All tiers, most severe first.
    pub const ALL: [TierName; 3] = [TierName::Critical, TierName::Warning, TierName::Notice];

    /// The tier's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TierName::Critical => "critical",
            TierName::Warning => "warning",
            TierName::Notice => "notice",
        }
    }
}

/// One tier's thresholds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tier {
    /// Percentage increase of time that fires the tier.
    pub time: f64,
    /// Percentage increase of memory.
    pub memory: f64,
    /// Percentage decrease of throughput.
    pub throughput: f64,
    /// Percentage change in the worse direction of a custom metric.
    pub custom: f64,
    /// Percentage change in the worse direction of a deterministic count (allocations,
    /// bytes allocated per operation), whatever its metric; no significance is needed.
    pub deterministic: f64,
    /// Significance required, in standard deviations (3 ≙ one-sided p ≤ 0.00135).
    pub sigma: f64,
    /// What the tier does.
    pub action: Action,
    /// When false, the percentage alone fires the tier.
    pub require_significance: bool,
}

impl Tier {
    /// The percentage threshold for a metric; a deterministic count has its own.
    pub fn pct_for(&self, metric: &Metric, deterministic: bool) -> f64 {
        if deterministic {
            self.deterministic
        } else {
            self.pct(metric)
        }
    }

    /// The percentage threshold for a metric.
    pub fn pct(&self, metric: &Metric) -> f64 {
        match metric {
            Metric::Time => self.time,
            Metric::Memory => self.memory,
            Metric::Throughput => self.throughput,
            Metric::Custom(_) => self.custom,
        }
    }

    fn default_for(name: TierName) -> Tier {
        let (time, throughput, deterministic, action) = match name {
            TierName::Critical => (20.0, 15.0, 5.0, Action::Block),
            TierName::Warning => (10.0, 5.0, 2.0, Action::Review),
            TierName::Notice => (5.0, 2.0, 0.5, Action::Log),
        };
        Tier {
            time,
            memory: time,
            throughput,
            custom: time,
            deterministic,
            sigma: 3.0,
            action,
            require_significance: true,
        }
    }
}

/// The three tiers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tiers {
    /// The blocking tier (default: +20 % time, −15 % throughput).
    pub critical: Tier,
    /// The review tier (default: +10 % time, −5 % throughput).
    pub warning: Tier,
    /// The logged tier (default: +5 % time, −2 % throughput).
    pub notice: Tier,
}

impl Tiers {
    /// A tier by name.
    pub fn get(&self, name: TierName) -> &Tier {
        match name {
            TierName::Critical => &self.critical,
            TierName::Warning => &self.warning,
            TierName::Notice => &self.notice,
        }
    }

    pub(super) fn get_mut(&mut self, name: TierName) -> &mut Tier {
        match name {
            TierName::Critical => &mut self.critical,
            TierName::Warning => &mut self.warning,
            TierName::Notice => &mut self.notice,
        }
    }
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            critical: Tier::default_for(TierName::Critical),
            warning: Tier::default_for(TierName::Warning),
            notice: Tier::default_for(TierName::Notice),
        }
    }
}
