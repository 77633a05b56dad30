//! Sorting through one sorting routine for the whole crate.
//!
//! Every `sort_by` on a new element type adds a copy of the standard library's
//! sort (several KB each) to the wasm; these helpers sort positions instead, with
//! one comparator type, so the module carries a single copy.

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`.
pub fn sort_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = positions(items.len(), &|a, b| cmp(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` stably by a key computed once per item.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    let order = positions(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
    permute(items, order);
}

/// The positions `0..n` in the order `cmp` gives them (stable).
#[inline(never)]
pub fn positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts the item at `order[i]` at `i`, in place, one cycle of the
/// permutation at a time: each item moves once, so the work is linear
/// whatever the order (following chains of earlier swaps instead was
/// quadratic for a list sorted but for its last item, which a body can be).
pub fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        // Until the cycle through `start` closes; a placed position is marked
        // by pointing at itself.
        while order[at] != start {
            let next = order[at];
            items.swap(at, next);
            order[at] = at;
            at = next;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted but for its smallest item, last: the order that made the
    /// chain-following permutation quadratic. Checked for its result (how
    /// long it takes is for `make bench`, not a test).
    #[test]
    fn a_list_sorted_but_for_its_last_item() {
        for n in [2usize, 10, 1000, 100_000] {
            let mut items: Vec<usize> = (1..n).chain([0]).collect();
            sort_by_key(&mut items, |v| *v);
            assert!(items.iter().enumerate().all(|(i, v)| *v == i), "n = {n}");
        }
    }

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 3, 10, 100, 1000] {
            let items: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std_sorted = items.clone();
            std_sorted.sort_by_key(|x| x.0);
            assert_eq!(ours, std_sorted, "n = {n}");
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |x| std::cmp::Reverse(x.0));
            std_sorted.sort_by_key(|x| std::cmp::Reverse(x.0));
            assert_eq!(by_key, std_sorted, "n = {n}");
        }
    }
}
