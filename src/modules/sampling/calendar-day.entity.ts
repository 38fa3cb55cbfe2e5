import { Field, ObjectType } from 'type-graphql';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { CalendarDayKind } from '../calendar/holidays-data.js';

/** An exceptional day of the working-day calendar: a public holiday or a make-up workday (调休). */
@ObjectType('CalendarDay', { description: 'A public holiday or make-up workday (调休).' })
@Entity({ tableName: 'calendar_day' })
export class CalendarDay {
  [OptionalProps]?: 'provisional' | 'updatedAt';

  @Field(() => String)
  @PrimaryKey({ type: 'date' })
  day!: string;

  @Field(() => String, { description: 'HOLIDAY or MAKEUP_WORKDAY' })
  @Enum({ items: ['HOLIDAY', 'MAKEUP_WORKDAY'], nativeEnumName: 'calendar_day_kind' })
  kind!: CalendarDayKind;

  @Field(() => String)
  @Property({ type: 'string', length: 32 })
  name!: string;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  provisional: boolean = false;

  @Property({ type: 'string', length: 64 })
  updatedBy!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
