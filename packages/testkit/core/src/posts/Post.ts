import { Model } from 'objection';

export class Post extends Model {
  static override get tableName(): string {
    return 'posts';
  }

  declare id: number;
  declare author_id: number;
  declare title: string;
  declare text: string;
  declare link: string | null;
  declare posted_at: string | Date;
  declare edited_at: string | Date;
}
