import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { ids } from '../../common/domain/enums';
import { PageQuery } from '../engine/cases.dto';
import { FINDING_CATEGORIES, FINDING_SOURCES } from '../../machines/rectification.machine';

const toBool = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);
const AREA = { message: 'areaCode 应为12位统计用区划代码' };

/** `GET /rectification/findings` */
export class FindingsQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, AREA) areaCode?: string;
  @ApiPropertyOptional({ enum: ids(FINDING_SOURCES) }) @IsOptional() @IsIn(ids(FINDING_SOURCES), { message: `source 取值应为：${ids(FINDING_SOURCES).join(', ')}` }) source?: string;
  @ApiPropertyOptional({ enum: ids(FINDING_CATEGORIES) }) @IsOptional() @IsIn(ids(FINDING_CATEGORIES), { message: `category 取值应为：${ids(FINDING_CATEGORIES).join(', ')}` }) category?: string;
}

/** `GET /rectification/items` and the ledger */
export class ItemsQuery extends FindingsQuery {
  @ApiPropertyOptional({ enum: ['rectifying', 'acceptance', 'closed'] })
  @IsOptional() @IsIn(['rectifying', 'acceptance', 'closed', 'cancelled'], { message: 'status 取值应为：rectifying, acceptance, closed, cancelled' })
  status?: string;

  @ApiPropertyOptional({ description: '只看逾期未销号（true）或未逾期（false）' }) @IsOptional() @Transform(toBool) @IsBoolean({ message: 'overdue 应为 true 或 false' })
  overdue?: boolean;

  @ApiPropertyOptional({ enum: ['county', 'township'], description: '交办层级' })
  @IsOptional() @IsIn(['county', 'township'], { message: 'level 取值应为：county, township' })
  level?: string;
}

export class LedgerQuery extends ItemsQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] }) @IsOptional() @IsIn(['json', 'csv', 'xlsx'], { message: 'format 取值应为：json, csv, xlsx' })
  format?: string;
}

export class FiguresQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, AREA) areaCode?: string;
}
