//! Names written more than once in a file: found by sorting the names' hashes, not by
//! inserting each name into a hash table. A table of millions of names costs a cache
//! miss or two per insert; a sort of their hashes streams through memory, and only
//! names whose hashes agree are compared.

use std::hash::{BuildHasher, Hash};

use rustc_hash::{FxBuildHasher, FxHashMap};

/// Below this many names, each is compared with the ones before it.
const SMALL: usize = 16;

/// Above this many names sharing the top half of a hash, a run is grouped through a
/// table, so that names made to collide cannot make the comparisons quadratic.
const LONG_RUN: usize = 64;

/// Calls `repeat(first, later)` for every name equal to an earlier one, with the index
/// of that name's first occurrence. The repeats of one name come in file order; repeats
/// of different names come in no particular order. A name is any key cheap to hash and
/// compare: a `&str`, or a `&str` with the number of its package.
pub(crate) fn for_each_repeat<K: Hash + Eq>(
    len: usize,
    name: impl Fn(usize) -> K,
    mut repeat: impl FnMut(usize, usize),
) {
    if len <= SMALL {
        for later in 1..len {
            if let Some(first) = (0..later).find(|&i| name(i) == name(later)) {
                repeat(first, later);
            }
        }
        return;
    }
    if u32::try_from(len).is_err() {
        let mut firsts: FxHashMap<K, usize> = FxHashMap::default();
        for i in 0..len {
            let first = *firsts.entry(name(i)).or_insert(i);
            if first != i {
                repeat(first, i);
            }
        }
        return;
    }
    // Each key: the top 32 bits of the name's hash over its index, so that sorting the
    // keys puts equal names next to each other, in file order.
    let hasher = FxBuildHasher;
    let mut keys: Vec<u64> = (0..len)
        .map(|i| (hasher.hash_one(name(i)) & !u64::from(u32::MAX)) | i as u64)
        .collect();
    keys.sort_unstable();
    let index = |key: u64| (key & u64::from(u32::MAX)) as usize;
    let mut firsts: Vec<usize> = Vec::new();
    let mut table: FxHashMap<K, usize> = FxHashMap::default();
    for run in keys.chunk_by(|a, b| a >> 32 == b >> 32) {
        if run.len() < 2 {
            continue;
        }
        if run.len() > LONG_RUN {
            table.clear();
            for &key in run {
                let i = index(key);
                let first = *table.entry(name(i)).or_insert(i);
                if first != i {
                    repeat(first, i);
                }
            }
            continue;
        }
        // The first occurrences seen so far in this run, each a different name.
        firsts.clear();
        for &key in run {
            let i = index(key);
            match firsts.iter().find(|&&f| name(f) == name(i)) {
                Some(&first) => repeat(first, i),
                None => firsts.push(i),
            }
        }
    }
}

/// The first name equal to an earlier one, as (index of the earlier, index of the
/// repeat), the repeat the earliest in the list.
pub(crate) fn first_repeat<K: Hash + Eq>(
    len: usize,
    name: impl Fn(usize) -> K,
) -> Option<(usize, usize)> {
    let mut found: Option<(usize, usize)> = None;
    for_each_repeat(len, name, |first, later| {
        if found.is_none_or(|(_, l)| later < l) {
            found = Some((first, later));
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a hash table finds, in file order.
    fn by_table(names: &[String]) -> Vec<(usize, usize)> {
        let mut firsts: FxHashMap<&str, usize> = FxHashMap::default();
        let mut out = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let first = *firsts.entry(n.as_str()).or_insert(i);
            if first != i {
                out.push((first, i));
            }
        }
        out
    }

    fn by_sort(names: &[String]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for_each_repeat(names.len(), |i| names[i].as_str(), |f, l| out.push((f, l)));
        // One name's repeats come in file order.
        for (i, &(f, l)) in out.iter().enumerate() {
            assert!(
                out[..i].iter().all(|&(f2, l2)| f2 != f || l2 < l),
                "{out:?}"
            );
        }
        out.sort_by_key(|&(_, l)| l);
        out
    }

    proptest! {
        #[test]
        fn finds_what_a_hash_table_finds(
            names in proptest::collection::vec("[a-c]{0,3}", 0..300)
        ) {
            prop_assert_eq!(by_sort(&names), by_table(&names));
            let expected = by_table(&names).first().copied();
            prop_assert_eq!(first_repeat(names.len(), |i| names[i].as_str()), expected);
        }
    }

    #[test]
    fn the_earliest_repeat_is_named_with_its_first_occurrence() {
        let names: Vec<String> = (0..1000)
            .map(|i| format!("bench {}", i % 700))
            .chain(["bench 3".to_string()])
            .collect();
        // `bench 0` is first repeated at 700; `bench 3` again at 1000.
        assert_eq!(
            first_repeat(names.len(), |i| names[i].as_str()),
            Some((0, 700))
        );
        assert_eq!(by_sort(&names), by_table(&names));
        let distinct: Vec<String> = (0..1000).map(|i| format!("b{i}")).collect();
        assert_eq!(first_repeat(distinct.len(), |i| distinct[i].as_str()), None);
    }

    #[test]
    fn one_name_many_times_is_one_group() {
        let names = vec!["same".to_string(); 5000];
        let found = by_sort(&names);
        assert_eq!(found.len(), 4999);
        assert!(found.iter().all(|&(f, _)| f == 0));
    }
}
