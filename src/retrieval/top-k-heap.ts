/**
 * A bounded min-heap that keeps the k best (highest-score) entries seen so far. The root is the
 * weakest kept entry, so a new candidate is compared once against it and most are rejected
 * without touching the heap: a full scan of n rows costs O(n + k log k) instead of a sort.
 */
export class TopKHeap {
  readonly #capacity: number
  readonly #scores: Float64Array
  readonly #positions: Int32Array
  #size = 0

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    this.#capacity = capacity
    this.#scores = new Float64Array(capacity)
    this.#positions = new Int32Array(capacity)
  }

  get size(): number {
    return this.#size
  }

  /** The score a candidate must beat to enter once the heap is full (-Infinity until then). */
  get threshold(): number {
    return this.#size < this.#capacity ? Number.NEGATIVE_INFINITY : (this.#scores[0] as number)
  }

  /** Offers a candidate; ties with the current weakest keep the earlier one, so results are deterministic. */
  push(position: number, score: number): void {
    if (this.#size < this.#capacity) {
      let index = this.#size++
      // Sift up.
      while (index > 0) {
        const parent = (index - 1) >> 1
        if (!this.#weaker(score, position, this.#scores[parent] as number, this.#positions[parent] as number)) break
        this.#scores[index] = this.#scores[parent] as number
        this.#positions[index] = this.#positions[parent] as number
        index = parent
      }
      this.#scores[index] = score
      this.#positions[index] = position
      return
    }
    if (!this.#weaker(this.#scores[0] as number, this.#positions[0] as number, score, position)) return
    // Replace the root and sift down.
    let index = 0
    const size = this.#size
    for (;;) {
      const left = 2 * index + 1
      if (left >= size) break
      const right = left + 1
      let child = left
      if (right < size && this.#weaker(this.#scores[right] as number, this.#positions[right] as number, this.#scores[left] as number, this.#positions[left] as number)) child = right
      if (!this.#weaker(this.#scores[child] as number, this.#positions[child] as number, score, position)) break
      this.#scores[index] = this.#scores[child] as number
      this.#positions[index] = this.#positions[child] as number
      index = child
    }
    this.#scores[index] = score
    this.#positions[index] = position
  }

  /** The kept entries, best first (ties: lower position first). */
  sorted(): Array<{ position: number; score: number }> {
    const entries: Array<{ position: number; score: number }> = []
    for (let index = 0; index < this.#size; index++) entries.push({ position: this.#positions[index] as number, score: this.#scores[index] as number })
    return entries.sort((a, b) => b.score - a.score || a.position - b.position)
  }

  /** Whether entry a ranks below entry b: lower score, or equal score and later position. */
  #weaker(scoreA: number, positionA: number, scoreB: number, positionB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && positionA > positionB)
  }
}
