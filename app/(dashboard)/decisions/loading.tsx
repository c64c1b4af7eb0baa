import { ViewSkeleton } from '@/components/analytics/states';

export default function DecisionsLoading() {
  return <ViewSkeleton title="Decisions" cards={['h-[32rem]']} />;
}
