import { registerEnumType } from 'type-graphql';
import { Grade, PersonRole, TargetCategory, TargetStatus } from '../modules/targets/target-category.js';
import { DepartmentKind } from '../modules/org/department.entity.js';
import { ItemStatus } from '../modules/items/inspection-item.entity.js';
import { InspectorStatus } from '../modules/inspectors/inspector.entity.js';
import { RelationshipKind } from '../modules/inspectors/relationship.entity.js';

registerEnumType(TargetCategory, {
  name: 'TargetCategory',
  description: 'Target categories named by the seed.',
});
registerEnumType(TargetStatus, { name: 'TargetStatus' });
registerEnumType(Grade, {
  name: 'Grade',
  description: 'Entertainment security grade; C is the highest risk.',
});
registerEnumType(PersonRole, { name: 'PersonRole' });
registerEnumType(DepartmentKind, { name: 'DepartmentKind' });
registerEnumType(ItemStatus, { name: 'ItemStatus' });
registerEnumType(InspectorStatus, { name: 'InspectorStatus' });
registerEnumType(RelationshipKind, { name: 'RelationshipKind' });
