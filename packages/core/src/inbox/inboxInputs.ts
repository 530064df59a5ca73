import { optional, required, type Parsed } from '../shared/input.js';
import { id, integerBetween } from '../shared/values.js';
import { MAX_PAGE_SIZE } from '../posts/postInputs.js';

/** The parameters of `GET /notifications`: newest first, `before` the previous page's `next`. */
export const listNotificationsInput = {
  limit: optional(integerBetween('limit', 1, MAX_PAGE_SIZE)),
  before: optional(id('before')),
};

export type ListNotificationsInput = Parsed<typeof listNotificationsInput>;

/** `POST /notifications/read`: every entry up to this id (included) is read. */
export const markNotificationsReadInput = { up_to: required(id('up_to')) };

export type MarkNotificationsReadInput = Parsed<typeof markNotificationsReadInput>;
