import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { calendarDate, localDateTime } from '../../common/domain/calendar';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { isUniqueViolation } from '../../common/errors/db-errors';
import { UnitOfWork } from '../../database/database.module';
import { CaseEntity } from '../../database/entities';
import { dueToday, scheduleDaily } from '../jobs/daily-job';
import { JobQueue } from '../jobs/job-queue';
import { REMINDER_QUEUE, type ReminderJob } from '../jobs/queue-names';
import { JobRunEntity } from './notifications.entities';
import { type Outgoing, OutboxService } from './outbox.service';

const JOB = 'overdue-reminders';
const level = (code: string, digits: number) => code.slice(0, digits).padEnd(12, '0');

/**
 * SF-04: once a day (Bull repeatable job, or an in-process timer on the embedded default) the
 * open cases past their deadline are counted per township and county, and the township and
 * county users of each area get one reminder listing them. A `job_runs` row, written in the
 * same transaction, makes a day's reminder happen once however many instances run it.
 */
@Injectable()
export class OverdueReminderService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OverdueReminderService.name);
  private tick: { stop(): void } | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: JobQueue,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick = scheduleDaily<ReminderJob>({
      queue: this.queue,
      name: REMINDER_QUEUE,
      data: { kind: JOB },
      at: this.config.reminders,
      everyMs: this.config.timers.reconcileIntervalMs,
      run: () => this.run(),
      catchUp: () => this.catchUp(),
      logger: this.logger,
      what: 'overdue reminder',
    });
  }

  onModuleDestroy(): void {
    this.tick?.stop();
  }

  /**
   * Today's reminder if its time has passed and it has not run: the queue was down at that
   * moment, the database refused, or no instance was running. The `job_runs` key keeps it once.
   */
  async catchUp(now = new Date()): Promise<boolean> {
    const due = await dueToday(this.uow.manager, JOB, this.config.reminders, now);
    return due ? (await this.run(now)).ran : false;
  }

  /** The reminder of the day `now` falls on (in the configured time zone). */
  async run(now = new Date()): Promise<{ period: string; ran: boolean; cases: number; areas: number }> {
    const period = calendarDate(now);
    let outgoing: Outgoing = [];
    try {
      const result = await this.uow.transaction(async (em) => {
        await em.insert(JobRunEntity, { name: JOB, period, ranAt: now, result: {} });
        const overdue = await em
          .createQueryBuilder(CaseEntity, 'c')
          .select(['c.id', 'c.procedure', 'c.areaCode', 'c.deadlineAt', 'c.state'])
          .where('c.closedAt IS NULL AND c.deadlineAt IS NOT NULL AND c.deadlineAt < :now', { now })
          .orderBy('c.deadlineAt', 'ASC')
          .getMany();
        const groups = new Map<string, { areaCode: string; role: 'township' | 'county'; cases: CaseEntity[] }>();
        for (const c of overdue) {
          // a case of a township or county itself has no township above it to remind
          const levels = [[level(c.areaCode, 9), 'township'], [level(c.areaCode, 6), 'county']] as const;
          for (const [code, role] of levels.filter(([code, role]) => role === 'county' || code !== level(code, 6))) {
            const g = groups.get(`${role}:${code}`) ?? { areaCode: code, role, cases: [] };
            g.cases.push(c);
            groups.set(`${role}:${code}`, g);
          }
        }
        for (const g of groups.values()) {
          const areaCode = g.areaCode;
          const scope = g.role === 'township' ? '本乡镇' : '本县';
          outgoing = outgoing.concat(
            await this.outbox.publish(
              em,
              {
                kind: 'overdue_digest',
                title: `逾期提醒：${scope}有 ${g.cases.length} 件案件超过办理时限`,
                message: `截至 ${localDateTime(now)}，${scope}有 ${g.cases.length} 件案件已超过办理时限，请督促尽快办结（简化识别程序、缩短认定时间）。`,
                areaCode,
                data: {
                  period,
                  count: g.cases.length,
                  cases: g.cases.slice(0, 100).map((c) => ({ id: c.id, procedure: c.procedure, areaCode: c.areaCode, state: c.state, dueAt: c.deadlineAt!.toISOString() })),
                },
              },
              { roles: [g.role] },
              now,
            ),
          );
        }
        const summary = { cases: overdue.length, areas: groups.size };
        await em.update(JobRunEntity, { name: JOB, period }, { result: summary });
        return summary;
      });
      this.outbox.send(outgoing);
      this.logger.log({ period, ...result }, 'overdue reminders sent');
      return { period, ran: true, ...result };
    } catch (err) {
      if (isUniqueViolation(err)) return { period, ran: false, cases: 0, areas: 0 };
      throw err;
    }
  }
}
