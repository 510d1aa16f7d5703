package kit

import "reflect"

// DeepCopy returns a copy of v that shares no map, slice or pointer with
// it: what a provider's state builds from an estate, so that neither
// changes the other. Structs with unexported fields (time.Time) are copied
// as values, as they are immutable; channels and functions are shared.
func DeepCopy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	dst := reflect.New(src.Type()).Elem()
	deepCopy(dst, src)
	return dst.Interface().(T)
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			deepCopy(k, it.Key())
			val := reflect.New(src.Type().Elem()).Elem()
			deepCopy(val, it.Value())
			m.SetMapIndex(k, val)
		}
		dst.Set(m)
	case reflect.Struct:
		t := src.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				dst.Set(src) // time.Time and its kind: a value
				return
			}
		}
		for i := range t.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		c := reflect.New(src.Elem().Type()).Elem()
		deepCopy(c, src.Elem())
		dst.Set(c)
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	default:
		dst.Set(src)
	}
}
