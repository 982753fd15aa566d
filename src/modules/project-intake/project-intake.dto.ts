import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../engine/cases.dto';
import { TARGET_KINDS } from '../../machines/project-intake.machine';
import { ROW_ID } from '../../common/domain/row-id';

const MONEY = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false } as const;
const MONEY_MSG = { message: '应为金额（元），最多两位小数' };

export class BudgetDto {
  /** 总投资（元）= linkageFunds + otherFunds */
  @ApiProperty({ example: 1200000 }) @IsNumber(MONEY, MONEY_MSG) @Min(0) @Max(1e9)
  total: number;

  /** 衔接资金（元）: the funds the county's figures count */
  @ApiProperty({ example: 1000000 }) @IsNumber(MONEY, MONEY_MSG) @Min(0) @Max(1e9)
  linkageFunds: number;

  /** 其他资金（元） */
  @ApiProperty({ example: 200000 }) @IsNumber(MONEY, MONEY_MSG) @Min(0) @Max(1e9)
  otherFunds: number;
}

export class PeriodDto {
  @ApiProperty({ example: '2026-04-01' }) @IsDateString({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '应为日期 YYYY-MM-DD' })
  start: string;

  @ApiProperty({ example: '2026-10-31' }) @IsDateString({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '应为日期 YYYY-MM-DD' })
  end: string;
}

export class PerformanceTargetDto {
  /** output 产出 / benefit 效益 / satisfaction 满意度 */
  @ApiProperty({ enum: TARGET_KINDS }) @IsIn([...TARGET_KINDS])
  kind: (typeof TARGET_KINDS)[number];

  @ApiProperty({ example: '新建大棚数量' }) @IsString() @MinLength(1) @MaxLength(200)
  indicator: string;

  @ApiProperty({ example: '20' }) @IsString() @MinLength(1) @MaxLength(50)
  value: string;

  @ApiProperty({ example: '座' }) @IsString() @MinLength(1) @MaxLength(20)
  unit: string;
}

export class BeneficiariesDto {
  /** 受益户数 */
  @ApiProperty({ example: 120 }) @IsInt() @Min(0) @Max(1_000_000)
  households: number;

  /** 其中脱贫户 */
  @ApiProperty({ example: 30 }) @IsInt() @Min(0) @Max(1_000_000)
  formerlyPoorHouseholds: number;

  /** 其中监测户 */
  @ApiProperty({ example: 5 }) @IsInt() @Min(0) @Max(1_000_000)
  monitoredHouseholds: number;
}

/**
 * `POST /procedures/project-intake/cases`. Shape errors are 400 naming the fields; content
 * rules (negative list SF-19, budget parts, performance targets, beneficiaries, 联农带农 for
 * industry SF-20, a category no department argues SF-21) are 422 RULE_VIOLATED naming the rule,
 * judged by the machine's own rules against the policy in force.
 */
export class CreateProjectDto {
  /** the village of the project (12-digit code) */
  @ApiProperty({ example: '411003100201' }) @Matches(/^\d{12}$/, { message: 'areaCode 应为12位村级区划代码' })
  areaCode: string;

  @ApiProperty({ example: '霍庄村食用菌产业大棚建设项目' }) @IsString() @MinLength(2) @MaxLength(100)
  name: string;

  /** a category id of the policy (`projects.departmentsByCategory`), e.g. `industry`, `roads` */
  @ApiProperty({ example: 'industry' }) @Matches(/^[a-z][a-z0-9_]{1,39}$/, { message: 'category 应为类别编号，例如 industry' })
  category: string;

  @ApiPropertyOptional({ example: '种植业基地' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(50)
  subCategory?: string;

  /** the library year */
  @ApiProperty({ example: 2026 }) @IsInt() @Min(2020) @Max(2100)
  year: number;

  @ApiProperty({ type: BudgetDto }) @IsObject() @ValidateNested() @Type(() => BudgetDto)
  budget: BudgetDto;

  @ApiProperty({ example: '中央和省级财政衔接推进乡村振兴补助资金' }) @IsString() @MinLength(2) @MaxLength(200)
  fundSource: string;

  @ApiProperty({ type: PeriodDto }) @IsObject() @ValidateNested() @Type(() => PeriodDto)
  period: PeriodDto;

  /** 建设内容 */
  @ApiProperty({ example: '新建食用菌标准化大棚20座及配套水电设施' }) @IsString() @MinLength(10) @MaxLength(5000)
  content: string;

  /** 绩效目标: at least one output or benefit target (SF-20, checked as a rule) */
  @ApiPropertyOptional({ type: [PerformanceTargetDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => PerformanceTargetDto)
  performanceTargets?: PerformanceTargetDto[];

  /** 受益对象 (SF-20, checked as a rule) */
  @ApiPropertyOptional({ type: BeneficiariesDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => BeneficiariesDto)
  beneficiaries?: BeneficiariesDto;

  /** 联农带农机制: required for industry projects (SF-20) */
  @ApiPropertyOptional({ example: '资产收益分红、优先吸纳脱贫户和监测户务工、订单收购' })
  @IsOptional() @IsString() @MaxLength(2000)
  linkageMechanism?: string;

  /** a project in the library this case changes (SF-21): its id, or the id of a case of it */
  @ApiPropertyOptional() @IsOptional() @Matches(ROW_ID, { message: 'changeOf 应为项目编号' })
  changeOf?: string;
}

export class ProjectListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(2020) @Max(2100)
  year?: number;

  @ApiPropertyOptional({ enum: ['applying', 'in_library', 'rejected', 'withdrawn'] })
  @IsOptional() @IsIn(['applying', 'in_library', 'rejected', 'withdrawn'])
  status?: 'applying' | 'in_library' | 'rejected' | 'withdrawn';

  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z][a-z0-9_]{1,39}$/, { message: 'category 应为类别编号' })
  category?: string;
}

export class ProjectFiguresQuery {
  /** a county (or any area in the caller's scope); defaults to the caller's area */
  @ApiPropertyOptional({ example: '411003000000' }) @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiProperty({ example: 2026 }) @Type(() => Number) @IsInt() @Min(2020) @Max(2100)
  year: number;
}
