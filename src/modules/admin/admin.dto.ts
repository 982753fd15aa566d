import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { AREA_LEVELS, type AreaLevel } from '../../common/domain/area';
import { PageQuery } from '../engine/cases.dto';
import { ids, ROLES, SECTORS, type UserRole } from '../../common/domain/enums';

export class CreateAreaDto {
  /** 12-digit 统计用区划代码 */
  @ApiProperty({ example: '411003100201' })
  @Matches(/^\d{12}$/, { message: 'code 应为12位统计用区划代码' })
  code: string;

  @ApiProperty({ example: '张庄村' })
  @IsString() @MinLength(1) @MaxLength(100)
  name: string;

  @ApiProperty({ enum: AREA_LEVELS })
  @IsIn(AREA_LEVELS)
  level: AreaLevel;
}

export class CreateUserDto {
  @ApiProperty() @Matches(/^[A-Za-z0-9_.-]{3,64}$/, { message: 'username 只能包含字母、数字、_ . -，长度3-64' })
  username: string;

  @ApiProperty({ description: '至少8位' }) @IsString() @MinLength(8) @MaxLength(200)
  password: string;

  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100)
  displayName: string;

  @ApiProperty({ enum: ROLES }) @IsIn(ROLES)
  role: UserRole;

  /** required for every role except admin */
  @ApiPropertyOptional({ example: '411003000000' })
  @ValidateIf((o: CreateUserDto) => o.role !== 'admin' || o.areaCode !== undefined)
  @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  /** required for role department */
  @ApiPropertyOptional({ enum: ids(SECTORS) })
  @ValidateIf((o: CreateUserDto) => o.role === 'department' || (o.sector !== undefined && o.sector !== null))
  @IsIn(ids(SECTORS))
  sector?: string | null;
}

/** Absent means unchanged; null is not a value of these fields (a 400, never a NOT NULL 500). */
const unlessAbsent = () => ValidateIf((_o, v) => v !== undefined);

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES }) @unlessAbsent() @IsIn(ROLES, { message: `role 应为以下之一：${ROLES.join('、')}` })
  role?: UserRole;

  @ApiPropertyOptional() @unlessAbsent() @IsString({ message: 'areaCode 应为12位统计用区划代码' }) @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  @ApiPropertyOptional() @unlessAbsent() @IsBoolean({ message: 'disabled 应为 true 或 false' })
  disabled?: boolean;

  @ApiPropertyOptional({ enum: ids(SECTORS) }) @IsOptional() @IsIn(ids(SECTORS))
  sector?: string;
}

/** `GET /admin/login-events` */
export class LoginEventQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64)
  username?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64)
  ip?: string;

  @ApiPropertyOptional({ enum: ['success', 'bad_credentials', 'disabled', 'throttled_account', 'throttled_address'] })
  @IsOptional()
  @IsIn(['success', 'bad_credentials', 'disabled', 'throttled_account', 'throttled_address'])
  outcome?: string;
}
