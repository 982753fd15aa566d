import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { POST_TYPE_IDS, type PostType } from '../../machines/welfare-posts.shared';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `POST /procedures/welfare-post-setting/cases` (按需设岗) */
export class CreatePostSettingDto {
  /** the village applying: 12-digit village code */
  @ApiProperty({ example: '411003100201' }) @Matches(/^\d{12}$/, { message: 'areaCode 应为12位村级区划代码' })
  areaCode: string;

  @ApiProperty({ enum: POST_TYPE_IDS, description: '保洁员 / 护林员 / 道路养护员 / 水管员 / 公共设施管护员 / 草管员 / 其他' })
  @IsIn(POST_TYPE_IDS)
  postType: PostType;

  @ApiProperty({ example: 2 }) @IsInt() @Min(1) @Max(200)
  places: number;

  @ApiProperty({ example: '负责村内主干道及公共区域日常保洁' }) @IsString() @MinLength(4) @MaxLength(2000)
  duties: string;

  /** yuan per month, at most two decimals */
  @ApiProperty({ example: 500 }) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(100000)
  monthlySubsidy: number;

  @ApiProperty({ example: 12 }) @IsInt() @Min(1) @Max(60)
  termMonths: number;

  /** why the village needs these posts (按需设岗) */
  @ApiProperty({ example: '全村共 186 户，主干道 3.2 公里，现有保洁员 1 名不能满足需要' })
  // its quality is the text rule's (reasons.justificationMinLength, reasons.placeholders), judged at once and at SUBMIT
  @IsString() @MinLength(1) @MaxLength(2000)
  justification: string;
}

/** What the village declares about the candidate; the household registry holds no such data. */
export class ExclusionDeclarationDto {
  /** 村干部及其近亲属 */
  @ApiProperty() @IsBoolean() villageCadreOrFamily: boolean;
  /** 机关事业单位在编人员 */
  @ApiProperty() @IsBoolean() publicEmployee: boolean;
  /** 领取城镇职工养老金 */
  @ApiProperty() @IsBoolean() urbanEmployeePension: boolean;
}

/** `POST /procedures/welfare-post-hiring/cases` (以岗聘任), one case per candidate */
export class CreateHiringDto {
  @ApiProperty() @IsUUID('all', { message: 'postId 应为岗位编号' })
  postId: string;

  /** a member of a registered household (`GET /households/{id}` → members[].id) */
  @ApiProperty() @IsUUID('all', { message: 'memberId 应为家庭成员编号' })
  memberId: string;

  /** required: the candidate's declaration on each exclusion (SF-13), checked again at approval */
  @ApiProperty({ type: ExclusionDeclarationDto })
  @IsDefined({ message: '必填：候选人关于村干部亲属、在编人员、领取城镇职工养老金三项情况的声明' })
  @IsObject({ message: '应为对象：{ villageCadreOrFamily, publicEmployee, urbanEmployeePension }' })
  @ValidateNested()
  @Type(() => ExclusionDeclarationDto)
  exclusions: ExclusionDeclarationDto;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000)
  note?: string;
}

export class PostListQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional({ enum: POST_TYPE_IDS }) @IsOptional() @IsIn(POST_TYPE_IDS)
  postType?: string;

  /** `true`: every post, open or closed, full or not; default: open posts with a free place */
  @ApiPropertyOptional() @IsOptional() @Transform(({ value }) => value === 'true' || value === true) @IsBoolean()
  all?: boolean;
}

export class LedgerQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  /** YYYY-MM; default the current month */
  @ApiPropertyOptional({ example: '2026-10' }) @IsOptional() @Matches(MONTH, { message: 'month 应为 YYYY-MM' })
  month?: string;

  /** `csv` downloads the ledger (as does `Accept: text/csv`); xlsx is not offered */
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv'], { message: 'format 可选 json 或 csv（暂不提供 xlsx）' })
  format?: 'json' | 'csv';
}

export class IdleQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;
}

/** `POST /welfare-posts/attendance`: the township's monthly record, sent as RECORD_ATTENDANCE on the hiring case */
export class AttendanceDto {
  /** the hiring case, or */
  @ApiPropertyOptional() @ValidateIf((o: AttendanceDto) => !o.holderId) @IsUUID('all', { message: 'caseId 或 holderId 必填其一' })
  caseId?: string;

  /** the holder (tenure) id from the ledger */
  @ApiPropertyOptional() @ValidateIf((o: AttendanceDto) => !o.caseId) @IsUUID('all', { message: 'caseId 或 holderId 必填其一' })
  holderId?: string;

  @ApiProperty({ example: '2026-10' }) @Matches(MONTH, { message: 'month 应为 YYYY-MM' })
  month: string;

  @ApiProperty({ example: 22 }) @IsInt() @Min(0) @Max(31)
  daysWorked: number;

  /** an uploaded attendance_sheet (考勤表) */
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(10) @IsUUID('all', { each: true })
  evidenceIds: string[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500)
  note?: string;
}
