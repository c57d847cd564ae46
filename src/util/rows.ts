/** A row-major matrix of float64 values: the plain-array currency of probes, geometry and figures. */
export interface Rows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}
