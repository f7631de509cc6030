/**
 * Seeded random unit vectors (Gaussian components, normalised: uniform on the sphere), for the
 * retrieval benchmark and tests. Generated on demand so no large vector file is ever committed.
 */

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` unit vectors of `dimension` floats, row-major in one array. */
export const randomUnitVectors = (count: number, dimension: number, seed: number): Float32Array => {
  const random = seededRandom(seed)
  const vectors = new Float32Array(count * dimension)
  for (let row = 0; row < count; row++) {
    const offset = row * dimension
    let sum = 0
    for (let column = 0; column < dimension; column += 2) {
      // Box-Muller gives two Gaussian components per pair of uniforms.
      const radius = Math.sqrt(-2 * Math.log(1 - random()))
      const angle = 2 * Math.PI * random()
      const first = radius * Math.cos(angle)
      vectors[offset + column] = first
      sum += first * first
      if (column + 1 < dimension) {
        const second = radius * Math.sin(angle)
        vectors[offset + column + 1] = second
        sum += second * second
      }
    }
    const norm = Math.sqrt(sum)
    for (let column = 0; column < dimension; column++) vectors[offset + column] = (vectors[offset + column] as number) / norm
  }
  return vectors
}

/**
 * Unit vectors around `clusters` random centres: each is normalise(centre + spread * noise), noise
 * a random unit vector. Closer to real embeddings (topics) than uniform vectors, which have no
 * neighbourhood structure at all. Queries drawn with the same seed for centres (`centreSeed`) and
 * another for noise fall among the same clusters.
 */
export const clusteredUnitVectors = (count: number, dimension: number, seed: number, clusters: number, spread: number, centreSeed = 1): Float32Array => {
  const centres = randomUnitVectors(clusters, dimension, centreSeed)
  const noise = randomUnitVectors(count, dimension, seed)
  const random = seededRandom(seed ^ 0x5bd1e995)
  const vectors = new Float32Array(count * dimension)
  for (let row = 0; row < count; row++) {
    const centre = Math.floor(random() * clusters)
    let sum = 0
    for (let column = 0; column < dimension; column++) {
      const value = (centres[centre * dimension + column] as number) + spread * (noise[row * dimension + column] as number)
      vectors[row * dimension + column] = value
      sum += value * value
    }
    const norm = Math.sqrt(sum)
    for (let column = 0; column < dimension; column++) vectors[row * dimension + column] = (vectors[row * dimension + column] as number) / norm
  }
  return vectors
}
