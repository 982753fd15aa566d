import { Module } from '@nestjs/common';
import { MonitoringInclusionAdapter } from './monitoring-inclusion.adapter';

/** 监测对象识别纳入: the inclusion machine plugged into the engine. */
@Module({ providers: [MonitoringInclusionAdapter] })
export class MonitoringInclusionModule {}
