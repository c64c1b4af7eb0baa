import { ViewSkeleton } from '@/components/analytics/states';

export default function BreakdownLoading() {
  return <ViewSkeleton title="Breakdown" cards={['h-96', 'h-96', 'h-48']} columns={2} />;
}
