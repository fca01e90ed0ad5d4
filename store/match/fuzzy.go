package match

import "math"

// maxCells bounds the edit-distance matrix of one partial-ratio
// computation; a longer text is compared in overlapping chunks.
const maxCells = 8 << 20

// PartialRatio is fuzzywuzzy's fuzz.partial_ratio (0.18, with
// python-Levenshtein) over code points: the best Levenshtein similarity
// ratio between the shorter string and any window of the longer string of
// the same length aligned on a matching block of the two, scaled to
// 0–100 and rounded half to even. Equal strings give 100, an empty one 0.
func PartialRatio(s1, s2 string) int {
	if s1 == s2 {
		return 100
	}
	a, b := []rune(s1), []rune(s2)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a)*len(b) <= maxCells {
		return partialRatio(a, b)
	}
	// Chunk the longer text, overlapping by the shorter's length so no
	// window is lost.
	step := maxCells/len(a) - len(a)
	if step < len(a) {
		step = len(a)
	}
	best := 0
	for start := 0; start < len(b); start += step {
		end := min(start+step+len(a), len(b))
		if r := partialRatio(a, b[start:end]); r > best {
			best = r
			if best == 100 {
				break
			}
		}
		if end == len(b) {
			break
		}
	}
	return best
}

func partialRatio(shorter, longer []rune) int {
	best := 0.0
	for _, blk := range matchingBlocks(shorter, longer) {
		start := max(blk.b-blk.a, 0)
		end := min(start+len(shorter), len(longer))
		r := ratio(shorter, longer[start:end])
		if r > 0.995 {
			return 100
		}
		best = max(best, r)
	}
	return int(math.RoundToEven(100 * best))
}

// ratio is Levenshtein.ratio: (|a|+|b| - d) / (|a|+|b|) where d is the
// edit distance with substitutions costing 2.
func ratio(a, b []rune) float64 {
	sum := len(a) + len(b)
	if sum == 0 {
		return 1
	}
	return float64(sum-indelDistance(a, b)) / float64(sum)
}

func indelDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1] + 2
			if a[i-1] == b[j-1] {
				c = prev[j-1]
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

type block struct{ a, b, size int }

// matchingBlocks is Levenshtein.matching_blocks(editops(a, b), a, b): the
// runs kept between the edit operations python-Levenshtein's backtrace
// chooses, plus the final (len(a), len(b), 0).
func matchingBlocks(s1, s2 []rune) []block {
	// Strip the common prefix and suffix, as lev_editops_find does.
	pre := 0
	for pre < len(s1) && pre < len(s2) && s1[pre] == s2[pre] {
		pre++
	}
	suf := 0
	for suf < len(s1)-pre && suf < len(s2)-pre && s1[len(s1)-1-suf] == s2[len(s2)-1-suf] {
		suf++
	}
	a, b := s1[pre:len(s1)-suf], s2[pre:len(s2)-suf]
	len1, len2 := len(a)+1, len(b)+1
	m := make([]uint32, len1*len2)
	for j := 0; j < len2; j++ {
		m[j] = uint32(j)
	}
	for i := 1; i < len1; i++ {
		m[i*len2] = uint32(i)
	}
	for i := 1; i < len1; i++ {
		prev, row := m[(i-1)*len2:i*len2], m[i*len2:(i+1)*len2]
		c1 := a[i-1]
		x := uint32(i)
		for j := 1; j < len2; j++ {
			c3 := prev[j-1]
			if c1 != b[j-1] {
				c3++
			}
			x++
			if x > c3 {
				x = c3
			}
			if c3 = prev[j] + 1; x > c3 {
				x = c3
			}
			row[j] = x
		}
	}
	// Backtrace from the end; collect kept diagonal steps (in reverse).
	type keep struct{ i, j int }
	var keeps []keep
	i, j := len1-1, len2-1
	p := len1*len2 - 1
	dir := 0
	for i > 0 || j > 0 {
		switch {
		case dir < 0 && j > 0 && m[p] == m[p-1]+1:
			j--
			p--
		case dir > 0 && i > 0 && m[p] == m[p-len2]+1:
			i--
			p -= len2
		case i > 0 && j > 0 && m[p] == m[p-len2-1] && a[i-1] == b[j-1]:
			i--
			j--
			p -= len2 + 1
			dir = 0
			keeps = append(keeps, keep{i, j})
		case i > 0 && j > 0 && m[p] == m[p-len2-1]+1:
			i--
			j--
			p -= len2 + 1
			dir = 0
		case dir == 0 && j > 0 && m[p] == m[p-1]+1:
			dir = -1
			j--
			p--
		case dir == 0 && i > 0 && m[p] == m[p-len2]+1:
			dir = 1
			i--
			p -= len2
		default:
			panic("match: lost in the cost matrix")
		}
	}
	// Turn kept positions (plus prefix and suffix) into blocks.
	var blocks []block
	add := func(x, y int) {
		if n := len(blocks); n > 0 {
			last := &blocks[n-1]
			if last.a+last.size == x && last.b+last.size == y {
				last.size++
				return
			}
		}
		blocks = append(blocks, block{x, y, 1})
	}
	for k := 0; k < pre; k++ {
		add(k, k)
	}
	for k := len(keeps) - 1; k >= 0; k-- {
		add(keeps[k].i+pre, keeps[k].j+pre)
	}
	for k := 0; k < suf; k++ {
		add(len(s1)-suf+k, len(s2)-suf+k)
	}
	return append(blocks, block{len(s1), len(s2), 0})
}
