#include "adapter/crypto/envelope.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "adapter/crypto/aad.h"
#include "adapter/crypto/aes_gcm.h"
#include "adapter/crypto/key_wrap.h"
#include "adapter/crypto/openssl_util.h"
#include "adapter/crypto/test_keys.h"

namespace sa::adapter::crypto {
namespace {

using testing::KeyText;
using testing::NewTestKek;

class EnvelopeTest : public ::testing::Test {
 protected:
  EnvelopeTest() : kek_(NewTestKek()), ring_(kek_) {
    auto suffix = RandomSecret(8);
    canary_ = "CANARY-crypto-" + (suffix.ok() ? HexLower(suffix->data(), suffix->size()) : std::string("x"));
    plaintext_ = "Discussion: supervisee raised a concern. " + canary_ + " End of form.";
    aad_ = RecordAad("rec-42", "discussion", 3);
  }

  Sealed SealOrDie(std::string_view plaintext, std::string_view aad) {
    auto s = Seal(kek_, plaintext, aad);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : Sealed{};
  }

  // Opens `s` expecting failure with `code`; the message must hold no plaintext or key.
  void ExpectOpenFails(const KeyRing& ring, const Sealed& s, std::string_view aad, StatusCode code,
                       const std::string& what) {
    auto r = Open(ring, s, aad);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), code) << what << ": " << r.status().ToString();
    ExpectClean(r.status(), what);
  }

  void ExpectClean(const Status& s, const std::string& what) {
    ++messages_checked_;
    EXPECT_EQ(s.message().find(canary_), std::string::npos) << what;
    EXPECT_EQ(s.message().find("CANARY-crypto-"), std::string::npos) << what;
    EXPECT_EQ(s.message().find(KeyText(kek_.key)), std::string::npos) << what;
    EXPECT_EQ(s.message().find(HexLower(kek_.key.data(), kek_.key.size())), std::string::npos) << what;
  }

  Kek kek_;
  KeyRing ring_;
  std::string canary_;
  std::string plaintext_;
  std::string aad_;
  int messages_checked_ = 0;
};

TEST_F(EnvelopeTest, RoundTrip) {
  for (const std::string& text : {plaintext_, std::string(), std::string("a\0b", 3), std::string(1 << 20, 'z')}) {
    Sealed s = SealOrDie(text, aad_);
    EXPECT_EQ(s.kek_id, kek_.id);
    EXPECT_EQ(s.nonce.size(), kGcmNonceBytes);
    EXPECT_EQ(s.wrapped_key.size(), kWrappedKeyBytes);
    EXPECT_EQ(s.ciphertext.size(), text.size() + kGcmTagBytes);
    if (!text.empty()) {
      EXPECT_EQ(s.ciphertext.find(text), std::string::npos);
    }
    auto back = Open(ring_, s, aad_);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, text);
  }
}

TEST_F(EnvelopeTest, RoundTripThroughSerializedForm) {
  auto parsed = ParseSealed(Serialize(SealOrDie(plaintext_, aad_)));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto back = Open(ring_, *parsed, aad_);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, plaintext_);
}

TEST_F(EnvelopeTest, EveryByteOfEveryFieldTamperedIsPermissionDenied) {
  const Sealed good = SealOrDie(plaintext_, aad_);
  // wrapped key = nonce | encrypted key | tag; ciphertext = body | tag: every byte of each.
  const std::pair<const char*, std::string Sealed::*> fields[] = {
      {"wrapped_key", &Sealed::wrapped_key}, {"nonce", &Sealed::nonce}, {"ciphertext+tag", &Sealed::ciphertext}};
  for (const auto& [name, field] : fields) {
    for (size_t i = 0; i < (good.*field).size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
        Sealed bad = good;
        (bad.*field)[i] = static_cast<char>((bad.*field)[i] ^ mask);
        ExpectOpenFails(ring_, bad, aad_, StatusCode::kPermissionDenied, std::string(name) + " byte " + std::to_string(i));
      }
    }
  }
  EXPECT_GT(messages_checked_, 2 * (60 + 12 + 16));
}

TEST_F(EnvelopeTest, TruncatedOrExtendedFieldsArePermissionDenied) {
  const Sealed good = SealOrDie(plaintext_, aad_);
  for (std::string Sealed::*field : {&Sealed::wrapped_key, &Sealed::nonce, &Sealed::ciphertext}) {
    Sealed shorter = good;
    (shorter.*field).pop_back();
    ExpectOpenFails(ring_, shorter, aad_, StatusCode::kPermissionDenied, "shortened");
    Sealed longer = good;
    (longer.*field).push_back('x');
    ExpectOpenFails(ring_, longer, aad_, StatusCode::kPermissionDenied, "lengthened");
    Sealed empty = good;
    (empty.*field).clear();
    ExpectOpenFails(ring_, empty, aad_, StatusCode::kPermissionDenied, "emptied");
  }
}

TEST_F(EnvelopeTest, WrongAadFails) {
  const Sealed s = SealOrDie(plaintext_, aad_);
  ExpectOpenFails(ring_, s, RecordAad("rec-43", "discussion", 3), StatusCode::kPermissionDenied, "other record id");
  ExpectOpenFails(ring_, s, RecordAad("rec-42", "supervision", 3), StatusCode::kPermissionDenied, "other kind");
  ExpectOpenFails(ring_, s, RecordAad("rec-42", "discussion", 4), StatusCode::kPermissionDenied, "other version");
  ExpectOpenFails(ring_, s, RecordAad("rec-42", "discussion", 2), StatusCode::kPermissionDenied, "older version");
  ExpectOpenFails(ring_, s, "", StatusCode::kPermissionDenied, "empty aad");
}

TEST_F(EnvelopeTest, SealedRecordMovedToAnotherRowFails) {
  const std::string aad_a = RecordAad("rec-A", "discussion", 1);
  const std::string aad_b = RecordAad("rec-B", "discussion", 1);
  const Sealed a = SealOrDie(plaintext_, aad_a);
  const Sealed b = SealOrDie("row B text", aad_b);
  // Whole record copied to row B.
  ExpectOpenFails(ring_, a, aad_b, StatusCode::kPermissionDenied, "A at B");
  // Row B's wrapped key carried onto row A's ciphertext, and vice versa.
  Sealed mixed = a;
  mixed.wrapped_key = b.wrapped_key;
  ExpectOpenFails(ring_, mixed, aad_a, StatusCode::kPermissionDenied, "B's key on A");
  ExpectOpenFails(ring_, mixed, aad_b, StatusCode::kPermissionDenied, "B's key on A at B");
  mixed = b;
  mixed.ciphertext = a.ciphertext;
  mixed.nonce = a.nonce;
  ExpectOpenFails(ring_, mixed, aad_b, StatusCode::kPermissionDenied, "A's ciphertext on B");
  // Each still opens in its own row.
  EXPECT_TRUE(Open(ring_, a, aad_a).ok());
  EXPECT_TRUE(Open(ring_, b, aad_b).ok());
}

TEST_F(EnvelopeTest, NoncesAndDataKeysNeverRepeatAcross10000Seals) {
  constexpr int kSeals = 10000;
  std::set<std::string> record_nonces, wrap_nonces, data_keys;
  for (int i = 0; i < kSeals; ++i) {
    auto s = Seal(kek_, "same plaintext", aad_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto dk = UnwrapKey(kek_, s->wrapped_key, aad_);
    ASSERT_TRUE(dk.ok()) << dk.status().ToString();
    record_nonces.insert(s->nonce);
    wrap_nonces.insert(s->wrapped_key.substr(0, kGcmNonceBytes));
    data_keys.insert(KeyText(*dk));
  }
  EXPECT_EQ(record_nonces.size(), static_cast<size_t>(kSeals));
  EXPECT_EQ(wrap_nonces.size(), static_cast<size_t>(kSeals));
  EXPECT_EQ(data_keys.size(), static_cast<size_t>(kSeals));
}

TEST_F(EnvelopeTest, RewrapMovesRecordToNewKekWithoutTouchingCiphertext) {
  const Sealed old_sealed = SealOrDie(plaintext_, aad_);
  Kek new_kek = NewTestKek();
  ASSERT_NE(new_kek.id, kek_.id);
  auto rewrapped = Rewrap(ring_, old_sealed, aad_, new_kek);
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status().ToString();
  EXPECT_EQ(rewrapped->kek_id, new_kek.id);
  EXPECT_EQ(rewrapped->ciphertext, old_sealed.ciphertext);
  EXPECT_EQ(rewrapped->nonce, old_sealed.nonce);
  EXPECT_NE(rewrapped->wrapped_key, old_sealed.wrapped_key);

  KeyRing new_only(new_kek);
  auto back = Open(new_only, *rewrapped, aad_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, plaintext_);

  KeyRing old_only(kek_);
  ExpectOpenFails(old_only, *rewrapped, aad_, StatusCode::kFailedPrecondition, "old-only ring");
  // And the old KEK cannot open it even when relabelled with the new id.
  Sealed relabelled = *rewrapped;
  relabelled.kek_id = kek_.id;
  ExpectOpenFails(old_only, relabelled, aad_, StatusCode::kPermissionDenied, "relabelled to old id");
  // The record sealed under the old KEK is not readable by the new-only ring.
  ExpectOpenFails(new_only, old_sealed, aad_, StatusCode::kFailedPrecondition, "old record, new ring");
}

TEST_F(EnvelopeTest, RingWithRetiredKekOpensOldAndNewRecords) {
  Kek new_kek = NewTestKek();
  KeyRing ring(new_kek);
  ASSERT_TRUE(ring.AddRetired(kek_).ok());
  const Sealed old_sealed = SealOrDie(plaintext_, aad_);
  auto new_sealed = Seal(ring.active(), "new record", aad_);
  ASSERT_TRUE(new_sealed.ok());
  EXPECT_EQ(new_sealed->kek_id, new_kek.id);
  EXPECT_TRUE(Open(ring, old_sealed, aad_).ok());
  EXPECT_TRUE(Open(ring, *new_sealed, aad_).ok());
}

TEST_F(EnvelopeTest, RewrapFailsForWrongAadUnknownKekOrTamperedKey) {
  const Sealed s = SealOrDie(plaintext_, aad_);
  Kek new_kek = NewTestKek();
  auto wrong_aad = Rewrap(ring_, s, RecordAad("rec-42", "discussion", 4), new_kek);
  EXPECT_EQ(wrong_aad.status().code(), StatusCode::kPermissionDenied);
  ExpectClean(wrong_aad.status(), "rewrap wrong aad");
  auto unknown = Rewrap(KeyRing(new_kek), s, aad_, new_kek);
  EXPECT_EQ(unknown.status().code(), StatusCode::kFailedPrecondition);
  Sealed bad = s;
  bad.wrapped_key[20] ^= 1;
  auto tampered = Rewrap(ring_, bad, aad_, new_kek);
  EXPECT_EQ(tampered.status().code(), StatusCode::kPermissionDenied);
  ExpectClean(tampered.status(), "rewrap tampered");
}

TEST_F(EnvelopeTest, UnknownKekIdIsFailedPreconditionNamingId) {
  Sealed s = SealOrDie(plaintext_, aad_);
  s.kek_id = "00112233aabbccdd";
  ExpectOpenFails(ring_, s, aad_, StatusCode::kFailedPrecondition, "unknown id");
  auto r = Open(ring_, s, aad_);
  EXPECT_NE(r.status().message().find("00112233aabbccdd"), std::string::npos);
}

TEST_F(EnvelopeTest, KekIdSwappedToAnotherKnownKekIsPermissionDenied) {
  Kek other = NewTestKek();
  ASSERT_TRUE(ring_.AddRetired(other).ok());
  Sealed s = SealOrDie(plaintext_, aad_);
  s.kek_id = other.id;
  ExpectOpenFails(ring_, s, aad_, StatusCode::kPermissionDenied, "swapped id");
}

TEST_F(EnvelopeTest, EveryByteFlipOfSerializedFormFailsToParseOrOpen) {
  const std::string bytes = Serialize(SealOrDie(plaintext_, aad_));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x04;
    auto parsed = ParseSealed(bad);
    if (!parsed.ok()) {
      ExpectClean(parsed.status(), "parse byte " + std::to_string(i));
      continue;
    }
    auto r = Open(ring_, *parsed, aad_);
    ASSERT_FALSE(r.ok()) << "byte " << i << " flipped still opened";
    ExpectClean(r.status(), "open byte " + std::to_string(i));
  }
}

TEST_F(EnvelopeTest, OversizedPlaintextIsInvalidArgument) {
  std::string big(kMaxSealedPlaintextBytes + 1, 'x');
  auto s = Seal(kek_, big, aad_);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EnvelopeTest, MalformedKekIsRejectedBySeal) {
  Kek bad{kek_.id, SecretBytes(16)};
  auto s = Seal(bad, plaintext_, aad_);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  ExpectClean(s.status(), "seal with bad kek");
}

// Collects every failure the module can produce for this record and checks
// none of the messages carries the plaintext canary or key material.
TEST_F(EnvelopeTest, NoErrorMessageContainsPlaintextOrKey) {
  const Sealed s = SealOrDie(plaintext_, aad_);
  std::vector<Status> failures;
  failures.push_back(Open(ring_, s, RecordAad("x", "discussion", 3)).status());
  Sealed t = s;
  t.ciphertext[3] ^= 1;
  failures.push_back(Open(ring_, t, aad_).status());
  t = s;
  t.wrapped_key[30] ^= 1;
  failures.push_back(Open(ring_, t, aad_).status());
  t = s;
  t.kek_id = "ffffffffffffffff";
  failures.push_back(Open(ring_, t, aad_).status());
  t = s;
  t.kek_id = canary_;
  failures.push_back(Open(ring_, t, aad_).status());
  failures.push_back(Rewrap(ring_, s, "wrong", NewTestKek()).status());
  failures.push_back(ParseSealed(canary_).status());
  failures.push_back(ParseSealed(Serialize(s).substr(0, 90)).status());
  failures.push_back(ParseKekBase64(canary_, "test KEK").status());
  for (const Status& st : failures) {
    ASSERT_FALSE(st.ok());
    ExpectClean(st, st.ToString());
  }
}

}  // namespace
}  // namespace sa::adapter::crypto
