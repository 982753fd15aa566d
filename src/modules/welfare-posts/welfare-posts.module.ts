import { Module } from '@nestjs/common';
import { WelfarePostHiringAdapter } from './welfare-post-hiring.adapter';
import { WelfarePostSettingAdapter } from './welfare-post-setting.adapter';
import { WelfarePostsController, WelfarePostsInspectionController } from './welfare-posts.controller';
import { WelfarePostsService } from './welfare-posts.service';

/**
 * 乡村公益性岗位: the post-setting and hiring machines plugged into the engine, with the posts,
 * holders and attendance tables, the real-name ledger and the idle-post detector.
 */
@Module({
  controllers: [WelfarePostsController, WelfarePostsInspectionController],
  providers: [WelfarePostSettingAdapter, WelfarePostHiringAdapter, WelfarePostsService],
  exports: [WelfarePostsService],
})
export class WelfarePostsModule {}
