/** A run whose figures mean nothing (non-2xx answers, lost notices…): the bench stops. */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}
