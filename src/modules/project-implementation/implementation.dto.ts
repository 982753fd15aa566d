import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { PAYMENT_KINDS, type PaymentKind } from '../../machines/project-funds';
import { ROW_ID } from '../../common/domain/row-id';

const MONEY = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false } as const;
const MONEY_MSG = { message: '应为金额（元），最多两位小数' };

export class PlannedFundDto {
  /** 资金来源, e.g. 中央财政衔接资金 */
  @ApiProperty({ example: '中央财政衔接推进乡村振兴补助资金' }) @IsString() @MinLength(2) @MaxLength(100)
  source: string;

  /** 元, at most two decimals */
  @ApiProperty({ example: 800000 }) @IsNumber(MONEY, MONEY_MSG) @Min(0.01) @Max(1e9)
  amount: number;
}

/** `POST /project-plans/entries`: the county puts a library project in a year's plan. */
export class PlanEntryDto {
  @ApiProperty({ example: 2026 }) @IsInt() @Min(2020) @Max(2100)
  year: number;

  @ApiProperty() @Matches(ROW_ID, { message: 'projectId 应为项目编号' })
  projectId: string;

  @ApiProperty({ type: [PlannedFundDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => PlannedFundDto)
  funds: PlannedFundDto[];
}

/** `PUT /project-plans/entries/{id}`: the funds change before the implementation opens, with a reason (issue 19). */
export class PlanChangeDto {
  @ApiProperty({ type: [PlannedFundDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => PlannedFundDto)
  funds: PlannedFundDto[];

  /** 调整理由 */
  @ApiProperty({ example: '县级配套资金调整，按县政府常务会议纪要核减' }) @IsString() @MaxLength(2000)
  reason: string;
}

/** `POST /project-plans/entries/{id}/withdraw`: the project leaves the plan before its implementation opens (issue 19). */
export class PlanWithdrawDto {
  /** 撤回理由 */
  @ApiProperty({ example: '项目选址存在土地权属争议，本年度暂缓实施' }) @IsString() @MaxLength(2000)
  reason: string;
}

export class PlanQuery {
  @ApiProperty({ example: 2026 }) @Type(() => Number) @IsInt() @Min(2020) @Max(2100)
  year: number;

  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;
}

/** `POST /procedures/project-implementation/cases` */
export class CreateImplementationDto {
  @ApiProperty() @Matches(ROW_ID, { message: 'projectId 应为项目编号' })
  projectId: string;
}

/** `POST /procedures/project-payment/cases`: a payment request (拨付申请). */
export class CreatePaymentDto {
  @ApiProperty() @Matches(ROW_ID, { message: 'projectId 应为项目编号' })
  projectId: string;

  /** advance 预付款 / progress 进度款 / final 尾款 */
  @ApiProperty({ enum: PAYMENT_KINDS }) @IsIn([...PAYMENT_KINDS], { message: `kind 应为 ${PAYMENT_KINDS.join('、')} 之一` })
  kind: PaymentKind;

  /** 元, at most two decimals */
  @ApiProperty({ example: 300000 }) @IsNumber(MONEY, MONEY_MSG) @Min(0.01) @Max(1e9)
  amount: number;

  /** 发票号码 (the invoice itself is uploaded as evidence and sent with SUBMIT) */
  @ApiProperty({ example: '41002300001234' }) @IsString() @MinLength(2) @MaxLength(60)
  invoiceNo: string;

  /** the contract number recorded at RECORD_CONTRACT */
  @ApiProperty({ example: 'JA-2026-001' }) @IsString() @MinLength(2) @MaxLength(60)
  contractRef: string;

  /** 用途 */
  @ApiProperty({ example: '支付大棚主体工程进度款' }) @IsString() @MinLength(4) @MaxLength(500)
  purpose: string;
}

export class LedgerQuery {
  @ApiPropertyOptional({ example: 2026 }) @IsOptional() @Type(() => Number) @IsInt() @Min(2020) @Max(2100)
  year?: number;

  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] }) @IsOptional() @IsIn(['json', 'csv', 'xlsx'], { message: 'format 应为 json、csv 或 xlsx' })
  format?: 'json' | 'csv' | 'xlsx';
}

export class ProjectInspectionQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;
}
