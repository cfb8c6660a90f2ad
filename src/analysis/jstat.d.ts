/** The part of jstat (no types of its own) that lstm-sweep uses: Student's t quantile. */
declare module 'jstat' {
  const jstat: { jStat: { studentt: { inv: (p: number, dof: number) => number } } };
  export default jstat;
}
