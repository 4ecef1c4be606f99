//! Min-cost flow by successive shortest paths with potentials (Dijkstra on reduced costs).
//!
//! Learners are added one at a time; each finds its cheapest augmenting path to a mentor
//! with room. A "waitlist" sink with unlimited room and a huge cost keeps every step
//! feasible, so the result places as many learners as possible and, among those
//! placements, has the least cost (= the highest score). Learners keep only their `prune`
//! best mentors; a breadth-first pass over all eligible pairs then places anyone pruning
//! left waiting, so pruning never costs a placement.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

const INF: i64 = i64::MAX / 4;

struct Graph {
    learners: usize,
    /// Mentor index `mentors` is the waitlist.
    mentors: usize,
    /// Per learner: (mentor, cost), best first; the waitlist last.
    edges: Vec<Vec<(u32, i64)>>,
    capacity: Vec<u32>,
    load: Vec<u32>,
    /// Per mentor (not the waitlist): learners placed there.
    members: Vec<Vec<u32>>,
    assigned: Vec<Option<u32>>,
    assigned_cost: Vec<i64>,
}

impl Graph {
    fn waitlist(&self) -> usize {
        self.mentors
    }

    fn node_of_mentor(&self, m: usize) -> usize {
        self.learners + m
    }

    fn sink(&self) -> usize {
        self.learners + self.mentors + 1
    }

    fn place(&mut self, l: usize, m: usize, cost: i64) {
        if let Some(old) = self.assigned[l] {
            let old = old as usize;
            self.load[old] -= 1;
            if old != self.waitlist() {
                let at = self.members[old].iter().position(|&y| y as usize == l);
                self.members[old].swap_remove(at.expect("placed learner is listed"));
            }
        }
        self.assigned[l] = Some(m as u32);
        self.assigned_cost[l] = cost;
        self.load[m] += 1;
        if m != self.waitlist() {
            self.members[m].push(l as u32);
        }
    }
}

/// Where each of `n` rows went (a column, or `None` when waitlisted) and whether it had any
/// allowed column at all. `score(row, column)` is `None` for a pair that may not be matched.
pub struct Solution {
    pub columns: Vec<Option<usize>>,
    pub suitable: Vec<bool>,
}

/// Assigns `n` rows to columns with `capacity`, maximising placements, then total score.
pub fn solve(
    n: usize,
    capacity: &[u32],
    score: impl Fn(usize, usize) -> Option<i64>,
    prune: usize,
) -> Solution {
    let mm = capacity.len();
    let mut suitable = vec![false; n];
    let mut candidates: Vec<Vec<(u32, i64)>> = Vec::with_capacity(n);
    let mut max_score = 0;
    for (l, is_suitable) in suitable.iter_mut().enumerate() {
        let mut all: Vec<(u32, i64)> = (0..mm)
            .filter(|&m| capacity[m] > 0)
            .filter_map(|m| score(l, m).map(|s| (m as u32, s)))
            .collect();
        *is_suitable = !all.is_empty();
        if all.len() > prune {
            all.select_nth_unstable_by_key(prune - 1, |&(m, s)| (Reverse(s), m));
            all.truncate(prune);
        }
        max_score = all.iter().map(|&(_, s)| s).fold(max_score, i64::max);
        candidates.push(all);
    }
    // Cost = ceiling - score is positive; one waitlisting costs more than any set of scores.
    let ceiling = max_score + 1;
    let waitlist_cost = (n as i64 + 1) * (ceiling + 1);
    let edges = candidates
        .into_iter()
        .map(|c| {
            let mut e: Vec<(u32, i64)> = c.into_iter().map(|(m, s)| (m, ceiling - s)).collect();
            e.push((mm as u32, waitlist_cost));
            e
        })
        .collect();
    let mut capacity = capacity.to_vec();
    capacity.push(n as u32);
    let mut g = Graph {
        learners: n,
        mentors: mm,
        edges,
        capacity,
        load: vec![0; mm + 1],
        members: vec![Vec::new(); mm],
        assigned: vec![None; n],
        assigned_cost: vec![0; n],
    };
    let mut search = Search::new(g.sink() + 1);
    for l in 0..n {
        search.augment(&mut g, l);
    }
    place_the_waiting(&score, &mut g, &suitable);
    let columns = g
        .assigned
        .iter()
        .map(|a| a.map(|m| m as usize).filter(|&m| m < mm))
        .collect();
    Solution { columns, suitable }
}

/// Dijkstra state reused across augmentations.
struct Search {
    potential: Vec<i64>,
    dist: Vec<i64>,
    /// For a mentor node: the learner it was reached from and that edge's cost. For a
    /// learner node: the mentor it was reached from. For the sink: the mentor.
    prev: Vec<(u32, i64)>,
    touched: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
}

impl Search {
    fn new(nodes: usize) -> Self {
        Self {
            potential: vec![0; nodes],
            dist: vec![INF; nodes],
            prev: vec![(0, 0); nodes],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn relax(&mut self, node: usize, d: i64, prev: (u32, i64)) {
        if d < self.dist[node] {
            if self.dist[node] == INF {
                self.touched.push(node);
            }
            self.dist[node] = d;
            self.prev[node] = prev;
            self.heap.push(Reverse((d, node)));
        }
    }

    /// Adds learner `l` along its shortest augmenting path (the waitlist always has room).
    fn augment(&mut self, g: &mut Graph, l: usize) {
        let sink = g.sink();
        // A new learner has no incoming residual edges: any potential keeping its own
        // edges non-negative is valid.
        self.potential[l] = g.edges[l]
            .iter()
            .map(|&(m, c)| self.potential[g.node_of_mentor(m as usize)] - c)
            .max()
            .expect("the waitlist edge is always there");
        self.relax(l, 0, (0, 0));
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v] {
                continue;
            }
            if v == sink {
                break;
            }
            if v < g.learners {
                let current = g.assigned[v];
                for &(m, c) in &g.edges[v] {
                    if current == Some(m) {
                        continue;
                    }
                    let node = g.node_of_mentor(m as usize);
                    let nd = d + c + self.potential[v] - self.potential[node];
                    self.relax(node, nd, (v as u32, c));
                }
            } else {
                let m = v - g.learners;
                if g.load[m] < g.capacity[m] {
                    let nd = d + self.potential[v] - self.potential[sink];
                    self.relax(sink, nd, (m as u32, 0));
                }
                if m != g.waitlist() {
                    for i in 0..g.members[m].len() {
                        let y = g.members[m][i] as usize;
                        let nd = d - g.assigned_cost[y] + self.potential[v] - self.potential[y];
                        self.relax(y, nd, (m as u32, 0));
                    }
                }
            }
        }
        let reached = self.dist[sink];
        debug_assert!(reached < INF, "the waitlist is always reachable");
        // Standard update for an early stop: nodes beyond the sink move by its distance.
        for (v, p) in self.potential.iter_mut().enumerate() {
            *p += self.dist[v].min(reached);
        }
        let mut m = self.prev[sink].0 as usize;
        loop {
            let (y, cost) = self.prev[g.node_of_mentor(m)];
            let y = y as usize;
            let from = g.assigned[y];
            g.place(y, m, cost);
            if y == l {
                break;
            }
            m = from.expect("a learner on the path was placed") as usize;
        }
        for &v in &self.touched {
            self.dist[v] = INF;
        }
        self.touched.clear();
        self.heap.clear();
    }
}

/// Places waitlisted learners who have a suitable mentor, searching all eligible pairs
/// (not just the pruned ones) for an alternating path to a mentor with room.
fn place_the_waiting(
    score: &impl Fn(usize, usize) -> Option<i64>,
    g: &mut Graph,
    suitable: &[bool],
) {
    let (n, mm) = (g.learners, g.mentors);
    let waiting: Vec<usize> = (0..n)
        .filter(|&l| suitable[l] && g.assigned[l] == Some(mm as u32))
        .collect();
    if waiting.is_empty() || (0..mm).all(|m| g.load[m] >= g.capacity[m]) {
        return;
    }
    let mut mentor_from: Vec<Option<u32>> = vec![None; mm];
    let mut seen_learner = vec![false; n];
    for w in waiting {
        mentor_from.iter_mut().for_each(|x| *x = None);
        seen_learner.iter_mut().for_each(|x| *x = false);
        let mut queue = VecDeque::from([w]);
        seen_learner[w] = true;
        let mut free = None;
        'bfs: while let Some(x) = queue.pop_front() {
            for (m, parent) in mentor_from.iter_mut().enumerate() {
                if parent.is_some()
                    || g.assigned[x] == Some(m as u32)
                    || g.capacity[m] == 0
                    || score(x, m).is_none()
                {
                    continue;
                }
                *parent = Some(x as u32);
                if g.load[m] < g.capacity[m] {
                    free = Some(m);
                    break 'bfs;
                }
                for &y in &g.members[m] {
                    if !seen_learner[y as usize] {
                        seen_learner[y as usize] = true;
                        queue.push_back(y as usize);
                    }
                }
            }
        }
        let Some(mut m) = free else { continue };
        loop {
            let y = mentor_from[m].expect("reached mentors have a parent") as usize;
            let from = g.assigned[y].expect("every learner sits somewhere") as usize;
            g.place(y, m, 0);
            if y == w {
                break;
            }
            m = from;
        }
    }
}
