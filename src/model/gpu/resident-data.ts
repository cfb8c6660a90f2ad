/**
 * The rows a pack trains and validates on, uploaded once and kept on the device: every split a
 * member uses (its training part, its validation part, the test file) is appended once, and a
 * batch is a list of row numbers into it (gather.wgsl). Splits are known by identity; one that
 * is no longer referenced anywhere (WeakRef) is dropped when the store grows and re-packs.
 */
import type { Split } from '../../data/types.js';

const F32 = 4;

interface Entry {
  ref: WeakRef<Split>;
  offset: number;
}

export class ResidentData {
  values: GPUBuffer;
  labels: GPUBuffer;
  /** bumped whenever the buffers are replaced (bind groups must be remade) */
  version = 0;
  private capacityRows: number;
  private usedRows = 0;
  private entries: Entry[] = [];
  private readonly index = new WeakMap<Split, Entry>();

  constructor(
    private readonly device: GPUDevice,
    /** values per row (timesteps * features) */
    private readonly rowSize: number,
    initialRows = 1024,
  ) {
    this.capacityRows = initialRows;
    [this.values, this.labels] = this.create(initialRows);
  }

  private create(rows: number): [GPUBuffer, GPUBuffer] {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    return [
      this.device.createBuffer({ label: 'data', size: Math.max(16, rows * this.rowSize * F32), usage }),
      this.device.createBuffer({ label: 'labels', size: Math.max(16, rows * F32), usage }),
    ];
  }

  /** The row at which `split` starts in the resident data (uploading it the first time). */
  offset(split: Split): number {
    const known = this.index.get(split);
    if (known) return known.offset;
    if (split.timesteps * split.features !== this.rowSize) {
      throw new Error(`split of ${split.timesteps} x ${split.features} values per row does not fit a pack of ${this.rowSize}`);
    }
    if (this.usedRows + split.n > this.capacityRows) this.repack(split.n);
    const entry: Entry = { ref: new WeakRef(split), offset: this.usedRows };
    this.upload(split, entry.offset);
    this.usedRows += split.n;
    this.entries.push(entry);
    this.index.set(split, entry);
    return entry.offset;
  }

  private upload(split: Split, offset: number): void {
    this.device.queue.writeBuffer(
      this.values,
      offset * this.rowSize * F32,
      split.x as Float32Array<ArrayBuffer>,
      0,
      split.n * this.rowSize,
    );
    this.device.queue.writeBuffer(this.labels, offset * F32, Float32Array.from(split.y));
  }

  /**
   * New buffers with room for the live splits and `extra` rows, live splits uploaded again at new
   * offsets. Rows in flight keep reading the old buffers: queue order puts their passes first.
   */
  private repack(extra: number): void {
    const live = this.entries.flatMap((e) => {
      const split = e.ref.deref();
      return split ? [{ e, split }] : [];
    });
    const needed = live.reduce((s, l) => s + l.split.n, 0) + extra;
    this.capacityRows = Math.max(2 * needed, 1024);
    const [values, labels] = this.create(this.capacityRows);
    // destroyed only after the queue has finished with them
    const old = [this.values, this.labels];
    void this.device.queue.onSubmittedWorkDone().then(() => old.forEach((b) => b.destroy()));
    [this.values, this.labels] = [values, labels];
    this.usedRows = 0;
    this.entries = [];
    for (const { e, split } of live) {
      e.offset = this.usedRows;
      this.upload(split, e.offset);
      this.usedRows += split.n;
      this.entries.push(e);
    }
    this.version++;
  }

  destroy(): void {
    this.values.destroy();
    this.labels.destroy();
  }
}
