import { ViewSkeleton } from '@/components/analytics/states';

export default function AccountLoading() {
  return <ViewSkeleton title="Account" cards={['h-72', 'h-64', 'h-96']} />;
}
