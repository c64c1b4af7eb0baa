import { ViewSkeleton } from '@/components/analytics/states';

export default function AccountsLoading() {
  return <ViewSkeleton title="Accounts" cards={['h-[32rem]']} />;
}
