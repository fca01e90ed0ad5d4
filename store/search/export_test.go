package search

// Waiting reports whether changes Apply gathered wait in memory.
func (v *Vocab) Waiting() bool {
	v.pmu.RLock()
	defer v.pmu.RUnlock()
	return v.pend != nil
}
