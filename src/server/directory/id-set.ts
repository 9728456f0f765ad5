// National identifier → person number, for the rare extract where a person's rows are not
// contiguous. 1.3 million strings in a Map cost well over 100 MB; digits-only identifiers ("8"
// + RPPS, "0" + ADELI: nearly all of them) are kept as numbers in an open-addressing table of
// doubles instead, about 30 MB.
export class IdMap {
  private keys = new Float64Array(1 << 16);
  private values = new Int32Array(1 << 16);
  private count = 0;
  private readonly others = new Map<string, number>();

  /** The number already given to this id, or `value` after recording it. */
  getOrAdd(id: string, value: number): number {
    // 14 digits times 16 stay below 2^53: exact as a double.
    if (id.length > 14 || !/^\d+$/.test(id)) {
      const known = this.others.get(id);
      if (known !== undefined) return known;
      this.others.set(id, value);
      return value;
    }
    // Zero marks an empty slot; the length keeps "08" and "8" apart.
    const key = Number(id) * 16 + id.length;
    // Up to three quarters full: 1.5 million persons fit in 2^21 slots (25 MB), where a half-full
    // table would have doubled to 50 MB (75 MB while growing).
    if ((this.count + 1) * 4 > this.keys.length * 3) this.grow();
    const at = this.slot(this.keys, key);
    if (this.keys[at] === key) return this.values[at] as number;
    this.keys[at] = key;
    this.values[at] = value;
    this.count++;
    return value;
  }

  private slot(keys: Float64Array, key: number): number {
    const mask = keys.length - 1;
    let i = (Math.imul((key % 2_147_483_647) | 0, 0x9e3779b1) >>> 0) & mask;
    while (keys[i] !== 0 && keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    const values = new Int32Array(this.keys.length * 2);
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as number;
      if (key === 0) continue;
      const at = this.slot(keys, key);
      keys[at] = key;
      values[at] = this.values[i] as number;
    }
    this.keys = keys;
    this.values = values;
  }
}
