//! What the ProcessOne simulator stores: transactions, saved payment tokens and batches,
//! under one lock, with the generator of its tokens and authorization codes.

use rust_decimal::Decimal;

use crate::common::store::Locked;
use std::collections::BTreeMap;

use payspec_processone::contracts::data_contracts::ClientReferenceData;
use payspec_processone::contracts::enums::{TransactionStatus, TransactionType};
use payspec_processone::contracts::transaction::TransactionInformation;

use super::INSTANCE_NAME;
use super::testdata;

use super::model::{Method, money, pacific, shown};

/// The first transaction id of a sandbox.
pub const FIRST_TRANSACTION_ID: i32 = 1001;
/// The duplicate-detection window, in milliseconds (the documented default of 2 minutes).
pub const DUPLICATE_WINDOW_MS: i64 = 2 * 60 * 1000;

/// Tokens and authorization codes: splitmix64 over (salt, counter). The salt comes from the
/// sandbox's [`crate::Ids`] once, when the router is built, so the sequence depends on the seed
/// and on this simulator's requests only.
#[derive(Debug)]
pub(crate) struct Gen {
    salt: u64,
    n: u64,
}

impl Gen {
    pub(crate) fn new(salt: u64) -> Gen {
        Gen { salt, n: 0 }
    }

    pub(super) fn next(&mut self) -> u64 {
        let n = self.n;
        self.n = n.wrapping_add(1);
        let mut z = self
            .salt
            .wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A token in the shape of the seed's tokens (a version-4 GUID).
    pub(crate) fn token(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// A six-character gateway authorization code.
    pub(crate) fn authorization_code(&mut self) -> String {
        format!("{:06X}", self.next() & 0xff_ffff)
    }
}

/// One recorded transaction.
#[derive(Clone, Debug)]
pub(crate) struct Txn {
    pub(crate) id: i32,
    pub(crate) callback_id: Option<String>,
    pub(crate) kind: TransactionType,
    pub(crate) status: TransactionStatus,
    /// The batch (0: none, for transactions that move no money).
    pub(crate) batch: i32,
    pub(crate) at_ms: i64,
    pub(crate) original_amount: Decimal,
    pub(crate) posted_amount: Decimal,
    pub(crate) method: Method,
    pub(crate) token: Option<String>,
    pub(crate) customer_id: Option<String>,
    pub(crate) client_reference_data: Option<ClientReferenceData>,
    pub(crate) account_group_code: Option<String>,
    /// The transaction a void or refund is of.
    pub(crate) reference: Option<i32>,
    /// The sum of the successful refunds of this payment.
    pub(crate) refunded: Decimal,
}

impl Txn {
    /// A blank transaction of `kind` for `method`, at `at_ms`, Successful, not in a batch.
    pub(crate) fn new(kind: TransactionType, method: Method, at_ms: i64) -> Txn {
        Txn {
            id: 0,
            callback_id: None,
            kind,
            status: TransactionStatus::Successful,
            batch: 0,
            at_ms,
            original_amount: money(Decimal::ZERO),
            posted_amount: money(Decimal::ZERO),
            method,
            token: None,
            customer_id: None,
            client_reference_data: None,
            account_group_code: None,
            reference: None,
            refunded: Decimal::ZERO,
        }
    }

    pub(crate) fn is_card_payment(&self) -> bool {
        matches!(
            self.kind,
            TransactionType::ChargeCreditCard
                | TransactionType::ChargeCreditCardNoFee
                | TransactionType::RecurringChargeCreditCard
        )
    }

    pub(crate) fn is_eft_payment(&self) -> bool {
        matches!(
            self.kind,
            TransactionType::CreditEft
                | TransactionType::DebitEft
                | TransactionType::DebitEftNoFee
                | TransactionType::RecurringEft
        )
    }

    pub(crate) fn client_ref1(&self) -> Option<&str> {
        self.client_reference_data
            .as_ref()
            .and_then(|c| c.client_reference_data1.as_deref())
    }

    /// The transaction as `TransactionInformation`, its date written for `xml` or JSON.
    pub(crate) fn information(&self, xml: bool) -> TransactionInformation {
        let (_, zone) = pacific(self.at_ms);
        let mut info = TransactionInformation::new()
            .with_batch_number(self.batch)
            .with_instance_name(INSTANCE_NAME)
            .with_last_four_digits(self.method.last_four())
            .with_original_amount(self.original_amount)
            .with_payment_date(shown(self.at_ms, xml))
            .with_posted_amount(self.posted_amount)
            .with_time_zone(zone)
            .with_transaction_id(self.id.to_string())
            .with_transaction_status(self.status.clone())
            .with_transaction_type(self.kind.clone());
        info.account_group_code = self.account_group_code.clone();
        info.client_reference_data = self.client_reference_data.clone();
        info.customer_id = self.customer_id.clone();
        info.internal_reference_transaction_id = self.reference.map(|r| r.to_string());
        info.process_one_token = self.token.clone();
        match &self.method {
            Method::Card(card) => {
                info.base_card_type = Some(card.brand.clone());
                info.credit_card_type = card.brand.clone();
                info.credit_card_expiration_month = Some(card.expiration_month);
                info.credit_card_expiration_year = Some(card.expiration_year);
                info.customer_name = card.holder.name.clone();
            }
            Method::Eft(eft) => {
                info.account_number = Some(eft.account_number.clone().into());
                info.routing_number = Some(eft.routing_number.clone());
                info.bank_account_type = eft.account_type.clone();
                info.bank_name = testdata::bank(&eft.routing_number).map(|b| b.name.to_owned());
                info.customer_name = eft.customer_name.clone();
            }
        }
        info
    }
}

/// A saved payment method.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) method: Method,
    pub(crate) customer_id: Option<String>,
    pub(crate) client_reference_data: Option<ClientReferenceData>,
    /// The transaction that saved it (a save, or the charge or debit with `Save`).
    pub(crate) transaction_id: i32,
}

/// Everything the simulator remembers.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) ids: Gen,
    /// Every transaction, by id (ids are consecutive from [`FIRST_TRANSACTION_ID`]).
    pub(crate) transactions: Chunked<Txn>,
    pub(crate) tokens: BTreeMap<String, Token>,
    /// The open batch; every lower number is closed.
    pub(crate) open_batch: i32,
    /// The ids of the transactions by what duplicate detection compares (amount, last four,
    /// ClientReferenceData1), so that a payment is checked against its few look-alikes instead
    /// of every transaction (the load run made the whole scan the bottleneck). Entries are
    /// added, never removed: [`State::duplicate_of`] re-checks each candidate.
    /// A B-tree rather than a hash map: growing it never rehashes every entry at once, which
    /// under load held the state's lock long enough to show in the p99 latency.
    duplicate_keys: BTreeMap<DuplicateKey, Vec<i32>>,
}

/// An append-only list stored in fixed-size chunks: growing it never moves what is stored
/// (a `Vec` of a million transactions copies them all when it doubles, under the state's lock).
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Chunked<T> {
    pub(super) const CHUNK: usize = 4096;

    pub(super) fn new() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < Self::CHUNK => chunk.push(value),
            _ => {
                let mut chunk = Vec::with_capacity(Self::CHUNK);
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub(super) fn get(&self, index: usize) -> Option<&T> {
        self.chunks
            .get(index / Self::CHUNK)?
            .get(index % Self::CHUNK)
    }

    pub(super) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.chunks
            .get_mut(index / Self::CHUNK)?
            .get_mut(index % Self::CHUNK)
    }

    /// Oldest first (`.rev()` for newest first).
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

/// Amount (normalized: `1.0` and `1.00` are one key), last four digits, ClientReferenceData1.
pub(super) type DuplicateKey = (Decimal, String, Option<String>);

pub(super) fn duplicate_key(
    amount: Decimal,
    method: &Method,
    client_ref1: Option<&str>,
) -> DuplicateKey {
    (
        amount.normalize(),
        method.last_four(),
        client_ref1.map(str::to_owned),
    )
}

impl State {
    pub(crate) fn new(salt: u64) -> State {
        State {
            ids: Gen::new(salt),
            transactions: Chunked::new(),
            tokens: BTreeMap::new(),
            open_batch: 1,
            duplicate_keys: BTreeMap::new(),
        }
    }

    /// Records `txn` under the next id, which it returns.
    pub(crate) fn record(&mut self, mut txn: Txn) -> i32 {
        let offset = i32::try_from(self.transactions.len()).unwrap_or(i32::MAX);
        txn.id = FIRST_TRANSACTION_ID.saturating_add(offset);
        let id = txn.id;
        self.index_for_duplicates(&txn);
        self.transactions.push(txn);
        id
    }

    /// Makes `txn` findable by [`State::duplicate_of`] under its current amount, last four and
    /// ClientReferenceData1 (called again when its metadata changes).
    pub(crate) fn index_for_duplicates(&mut self, txn: &Txn) {
        let key = duplicate_key(txn.original_amount, &txn.method, txn.client_ref1());
        let ids = self.duplicate_keys.entry(key).or_default();
        if !ids.contains(&txn.id) {
            ids.push(txn.id);
        }
    }

    pub(crate) fn get(&self, id: i32) -> Option<&Txn> {
        let index = usize::try_from(id.checked_sub(FIRST_TRANSACTION_ID)?).ok()?;
        self.transactions.get(index)
    }

    pub(crate) fn get_mut(&mut self, id: i32) -> Option<&mut Txn> {
        let index = usize::try_from(id.checked_sub(FIRST_TRANSACTION_ID)?).ok()?;
        self.transactions.get_mut(index)
    }

    /// The transaction whose id is `text` (a decimal number, surrounding spaces ignored).
    pub(crate) fn find(&self, text: Option<&str>) -> Option<&Txn> {
        let id: i32 = text?.trim().parse().ok()?;
        self.get(id)
    }

    /// Closes the open batch and opens the next: (the closed batch, its transaction count).
    pub(crate) fn close_batch(&mut self) -> (i32, usize) {
        let closed = self.open_batch;
        self.open_batch = closed.saturating_add(1);
        let count = self
            .transactions
            .iter()
            .filter(|t| t.batch == closed)
            .count();
        (closed, count)
    }

    /// A successful payment of the same family (`same_family`) with the same amount, last four
    /// digits and ClientReferenceData1 within [`DUPLICATE_WINDOW_MS`] of `at_ms`.
    pub(crate) fn duplicate_of(
        &self,
        same_family: impl Fn(&TransactionType) -> bool,
        amount: Decimal,
        method: &Method,
        client_ref1: Option<&str>,
        at_ms: i64,
    ) -> Option<i32> {
        let last_four = method.last_four();
        self.duplicate_keys
            .get(&duplicate_key(amount, method, client_ref1))?
            .iter()
            .rev()
            .filter_map(|&id| self.get(id))
            .find(|t| {
                same_family(&t.kind)
                    && t.status == TransactionStatus::Successful
                    && t.reference.is_none()
                    && t.original_amount == amount
                    && t.method.last_four() == last_four
                    && t.client_ref1() == client_ref1
                    && t.at_ms.abs_diff(at_ms) < DUPLICATE_WINDOW_MS.unsigned_abs()
            })
            .map(|t| t.id)
    }
}

pub(super) struct Shared {
    pub(super) state: Locked<State>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_keeps_order_and_indexes_across_chunks() {
        let mut list = Chunked::new();
        let n = Chunked::<usize>::CHUNK * 2 + 3;
        for i in 0..n {
            list.push(i);
        }
        assert_eq!(list.len(), n);
        assert_eq!(list.get(0), Some(&0));
        assert_eq!(
            list.get(Chunked::<usize>::CHUNK),
            Some(&Chunked::<usize>::CHUNK)
        );
        assert_eq!(list.get(n - 1), Some(&(n - 1)));
        assert_eq!(list.get(n), None);
        if let Some(v) = list.get_mut(5000) {
            *v = 0;
        }
        assert_eq!(list.get(5000), Some(&0));
        assert_eq!(list.iter().count(), n);
        assert_eq!(list.iter().next_back(), Some(&(n - 1)));
        assert!(list.iter().enumerate().all(|(i, &v)| v == i || i == 5000));
    }

    #[test]
    fn tokens_look_like_guids_and_repeat_per_salt() {
        let mut a = Gen::new(7);
        let mut b = Gen::new(7);
        let t = a.token();
        assert_eq!(t, b.token());
        assert_eq!(t.len(), 36);
        assert_eq!(t.as_bytes().get(14), Some(&b'4'));
        assert_ne!(a.token(), t);
        assert_eq!(a.authorization_code().len(), 6);
    }
}
