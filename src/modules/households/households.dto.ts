import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { idNumberProblem } from '../../common/domain/id-number';
import { PageQuery } from '../engine/cases.dto';

function IsIdNumber() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIdNumber',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => idNumberProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => idNumberProblem(args?.value) ?? '身份证号不正确',
      },
    });
}

export class DisabilityDto {
  @ApiProperty({ example: '肢体' }) @IsString() @MinLength(1) @MaxLength(20)
  category: string;

  @ApiProperty({ minimum: 1, maximum: 4, description: '残疾等级，1 最重' }) @IsInt() @Min(1) @Max(4)
  level: number;
}

export class MemberDto {
  @ApiProperty({ example: '王建国' }) @IsString() @MinLength(1) @MaxLength(50)
  name: string;

  /** 18-character 居民身份证号 with a valid check digit */
  @ApiProperty({ example: '411003195803150012' }) @IsIdNumber()
  idNumber: string;

  @ApiProperty({ example: '户主' }) @IsString() @MinLength(1) @MaxLength(20)
  relation: string;

  @ApiProperty({ enum: ['male', 'female'] }) @IsIn(['male', 'female'])
  gender: 'male' | 'female';

  @ApiProperty({ example: '1958-03-15' }) @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/)
  birthDate: string;

  @ApiProperty({ enum: ['full', 'weak', 'semi', 'none'] }) @IsIn(['full', 'weak', 'semi', 'none'])
  laborAbility: string;

  @ApiPropertyOptional({ type: DisabilityDto, nullable: true })
  @IsOptional() @ValidateNested() @Type(() => DisabilityDto)
  disability?: DisabilityDto | null;

  @ApiProperty({ enum: ['local', 'outside', 'none', 'student', 'retired'] })
  @IsIn(['local', 'outside', 'none', 'student', 'retired'])
  employment: string;

  @ApiPropertyOptional({ example: '13800138000' })
  @IsOptional() @Matches(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, { message: 'phone 应为手机号或固定电话' })
  phone?: string | null;
}

export class CreateHouseholdDto {
  @ApiProperty({ example: '411003100201' }) @Matches(/^\d{12}$/, { message: 'areaCode 应为12位村级区划代码' })
  areaCode: string;

  @ApiProperty({ example: '王建国' }) @IsString() @MinLength(1) @MaxLength(50)
  householderName: string;

  @ApiProperty({ example: '河南省许昌市建安区椹涧乡张庄村3组12号' }) @IsString() @MinLength(2) @MaxLength(200)
  address: string;

  @ApiProperty() @IsBoolean()
  isFormerlyPoor: boolean;

  @ApiProperty({ type: [MemberDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(30) @ValidateNested({ each: true }) @Type(() => MemberDto)
  members: MemberDto[];
}

export class HouseholdListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{12}$/, { message: 'areaCode 应为12位统计用区划代码' })
  areaCode?: string;

  /** householder name (contains) or a full ID number of a member */
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50)
  q?: string;
}
