/**
 * The server cannot listen where it was told: HOST does not resolve or is not this machine's,
 * or PORT is taken or privileged. The message is one line naming both.
 */
export class ListenAddressUnavailable extends Error {
  override readonly name = 'ListenAddressUnavailable';
}
