//! Marks on numbered items (trigger sets, model stems) that a new pass clears without
//! touching them: each pass has its own generation, and an item is marked when its stamp
//! equals the current one. Scanning a sentence or a mail thus costs what it marks, not
//! the size of the table.

#[derive(Default)]
pub struct Stamps {
    stamps: Vec<u32>,
    generation: u32,
}

impl Stamps {
    /// Starts a new pass over items `0..len`: nothing is marked.
    #[inline]
    pub fn begin(&mut self, len: usize) {
        if self.stamps.len() < len {
            self.stamps.resize(len, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2^32 passes the stamps of old ones would count again.
            self.stamps.fill(0);
            self.generation = 1;
        }
    }

    /// Marks `item`: false if it was already marked in this pass.
    #[inline]
    pub fn mark(&mut self, item: usize) -> bool {
        let stamp = &mut self.stamps[item];
        if *stamp == self.generation {
            return false;
        }
        *stamp = self.generation;
        true
    }

    #[inline]
    pub fn is_marked(&self, item: usize) -> bool {
        self.stamps[item] == self.generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_pass_forgets_the_marks_of_the_last() {
        let mut stamps = Stamps::default();
        stamps.begin(3);
        assert!(stamps.mark(1));
        assert!(!stamps.mark(1));
        assert!(stamps.is_marked(1) && !stamps.is_marked(2));
        stamps.begin(3);
        assert!(!stamps.is_marked(1));
        // The generation wraps: old stamps are cleared rather than counted again.
        stamps.generation = u32::MAX;
        stamps.stamps[2] = 1;
        stamps.begin(3);
        assert_eq!(stamps.generation, 1);
        assert!(!stamps.is_marked(2));
    }
}
