import { Column, Entity } from 'typeorm';
import { timestamp } from '../../database/column-types';
import { WithId } from '../../database/with-id';

/**
 * Every login attempt, kept: what the throttle counts and what an admin reads. Indexed on
 * (username, at) and (ip, at) by the migration LoginEvents.
 */
@Entity('login_events')
export class LoginEventEntity extends WithId {
  @Column({ type: 'varchar', length: 64 }) username: string;
  /** the account, when the username exists */
  @Column({ type: 'varchar', length: 36, nullable: true }) userId: string | null;
  /** the account's area at the time (null: unknown username or a global account) */
  @Column({ type: 'varchar', length: 12, nullable: true }) areaCode: string | null;
  @Column({ type: 'varchar', length: 64 }) ip: string;
  /** success | bad_credentials | disabled | throttled_account | throttled_address */
  @Column({ type: 'varchar', length: 20 }) outcome: string;
  @Column(timestamp()) at: Date;
}
