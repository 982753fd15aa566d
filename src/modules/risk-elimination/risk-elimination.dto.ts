import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsUUID, Matches } from 'class-validator';

/** `POST /procedures/risk-elimination/batches`: a village's list (村提出名单). */
export class CreateEliminationBatchDto {
  /** the village proposing the list (12-digit code) */
  @ApiProperty({ example: '411003100201' }) @Matches(/^\d{12}$/, { message: 'areaCode 应为12位村级区划代码' })
  areaCode: string;

  @ApiProperty({ type: [String] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ArrayUnique() @IsUUID('all', { each: true })
  monitoringObjectIds: string[];

  /** assisted 帮扶消除 / natural 自然消除 */
  @ApiProperty({ enum: ['assisted', 'natural'] }) @IsIn(['assisted', 'natural'])
  eliminationType: 'assisted' | 'natural';
}

/** One case's creation body, as the batch controller hands it to the engine (the batch id travels apart). */
export class EliminationCaseDto {
  @IsUUID('all') monitoringObjectId: string;
  @IsIn(['assisted', 'natural']) eliminationType: 'assisted' | 'natural';
}
