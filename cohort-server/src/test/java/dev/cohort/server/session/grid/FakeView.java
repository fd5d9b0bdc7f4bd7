package dev.cohort.server.session.grid;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.functional.MetaParam;
import org.infinispan.metadata.Metadata;

/** One copy of one entry, recording what is written to it. */
final class FakeView implements ReadWriteEntryView<String, StoredSession> {
  private StoredSession value;
  final List<StoredSession> writes = new ArrayList<>();

  FakeView(StoredSession value) {
    this.value = value;
  }

  @Override
  public String key() {
    return "s1";
  }

  @Override
  public StoredSession get() {
    if (value == null) {
      throw new NoSuchElementException();
    }
    return value;
  }

  @Override
  public Optional<StoredSession> find() {
    return Optional.ofNullable(value);
  }

  @Override
  public Void set(StoredSession v, MetaParam.Writable... metas) {
    value = v;
    writes.add(v);
    return null;
  }

  @Override
  public Void set(StoredSession v, Metadata metadata) {
    return set(v);
  }

  @Override
  public Void remove() {
    value = null;
    return null;
  }

  @Override
  public <T extends MetaParam> Optional<T> findMetaParam(Class<T> type) {
    return Optional.empty();
  }
}
