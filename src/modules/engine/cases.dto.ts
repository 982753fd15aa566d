import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { fastBodyCheck } from '../../common/http/validation';

export class CaseEventDto {
  /** the event, e.g. `RECORD_VERIFICATION`; see `GET /procedures/{procedure}` */
  @ApiProperty({ example: 'RECORD_VERIFICATION' })
  @Matches(/^[A-Z][A-Z_]{1,39}$/, { message: 'type 应为事件名，例如 RECORD_VERIFICATION' })
  type: string;

  /** the case version the caller last saw; a stale version is refused with 409 */
  @ApiProperty({ example: 1 })
  @IsInt() @Min(1)
  version: number;

  /** ids of evidence uploaded beforehand (`POST /evidence`) */
  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true })
  evidenceIds?: string[];

  /** the step's own fields, described by the event's JSON Schema */
  @ApiPropertyOptional({ type: Object })
  @IsOptional() @IsObject()
  data?: Record<string, unknown>;

  /** required for every negative outcome (return, reject, exclude, withdraw …) */
  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(4000)
  reason?: string;
}

/**
 * The schema of a CaseEventDto / BatchEventDto body, for the pipe's fast path (issue 21): it
 * accepts only what the decorators above accept (optional: absent or null; `reason`'s length in
 * code points, never more lenient than class-validator's). Anything else goes to class-validator.
 */
const EVENT_PROPERTIES = {
  type: { type: 'string', pattern: '^[A-Z][A-Z_]{1,39}$' },
  evidenceIds: { type: ['array', 'null'], maxItems: 50, items: { type: 'string', format: 'uuid-all' } },
  data: { type: ['object', 'null'] },
  reason: { type: ['string', 'null'], maxLength: 4000 },
};
export const acceptsCaseEvent = fastBodyCheck(CaseEventDto, {
  type: 'object',
  required: ['type', 'version'],
  additionalProperties: false,
  properties: { ...EVENT_PROPERTIES, version: { type: 'integer', minimum: 1 } },
});

/** A batch event: the case version is each case's current one. */
export class BatchEventDto {
  @ApiProperty({ example: 'APPROVE' })
  @Matches(/^[A-Z][A-Z_]{1,39}$/, { message: 'type 应为事件名，例如 APPROVE' })
  type: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true })
  evidenceIds?: string[];

  @ApiPropertyOptional({ type: Object })
  @IsOptional() @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(4000)
  reason?: string;
}

export const acceptsBatchEvent = fastBodyCheck(BatchEventDto, {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: EVENT_PROPERTIES,
});

const toBool = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);

export class PageQuery {
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  page = 1;

  @ApiPropertyOptional({ default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  pageSize = 20;
}

/** The filters every case list takes (待办, 已办, the case list): procedure, state, area, overdue. */
export class CaseFilterQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40)
  procedure?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40)
  state?: string;

  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean()
  overdue?: boolean;
}

export class CaseListQuery extends CaseFilterQuery {
  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean()
  startedByMe?: boolean;

  @ApiPropertyOptional({ description: 'open: not in a final state; closed: finished' })
  @IsOptional() @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';
}

/** 待办 and 已办 take the same filters as the case list (issue 20: the console filters on the server). */
export class TaskListQuery extends CaseFilterQuery {}
