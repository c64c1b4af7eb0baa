import { ViewSkeleton } from '@/components/analytics/states';

export default function OverviewLoading() {
  return <ViewSkeleton title="Overview" stats={6} cards={['h-80', 'h-64', 'h-64', 'h-64', 'h-96']} />;
}
