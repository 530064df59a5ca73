import { optional, type Parsed } from '../shared/input.js';
import { id } from '../shared/values.js';

/** The parameters of `GET /user/activity`: whose (default: your own). */
export const activityInput = { user_id: optional(id('user_id')) };

export type ActivityInput = Parsed<typeof activityInput>;
